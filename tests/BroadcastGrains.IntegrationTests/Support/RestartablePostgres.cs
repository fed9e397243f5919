using Npgsql;

namespace BroadcastGrains.IntegrationTests.Support;

/// <summary>
/// A PostgreSQL server of one test's own, which the test may stop and start again (the shared server of
/// tests/run.sh must never go down: other tests run on it). Same binaries and settings as run.sh: the bin
/// directory comes from <c>BROADCAST_TEST_PG_BIN</c> (exported by run.sh).
/// </summary>
public sealed class RestartablePostgres : IAsyncDisposable
{
    public const string BinVariable = "BROADCAST_TEST_PG_BIN";

    private readonly PostgresServer _server;

    private RestartablePostgres(PostgresServer server) => _server = server;

    public int Port => _server.Port;

    public string ConnectionString(string database) => _server.ConnectionString(database) + ";Pooling=true;Maximum Pool Size=50";

    public static async Task<RestartablePostgres> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable(BinVariable);
        if (string.IsNullOrEmpty(bin) || !File.Exists(Path.Combine(bin, "pg_ctl")))
            throw new InvalidOperationException($"{BinVariable} is not set: run the tests with tests/run.sh, which finds PostgreSQL and sets it.");
        var pg = new RestartablePostgres(await PostgresServer.InitAsync(bin, "broadcastgrains-outage-pg-"));
        try
        {
            await pg.StartAgainAsync();
            await using var connection = new NpgsqlConnection(pg.ConnectionString("postgres"));
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE broadcast", connection);
            await create.ExecuteNonQueryAsync();
            return pg;
        }
        catch
        {
            await pg.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server (fast: open sessions are terminated, as when an operator or a failover stops it).</summary>
    public Task StopAsync() => _server.StopAsync("fast");

    public Task StartAgainAsync() => _server.StartAsync("-c max_connections=200 -c fsync=off -c synchronous_commit=off");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _server.DisposeAsync();
    }
}
