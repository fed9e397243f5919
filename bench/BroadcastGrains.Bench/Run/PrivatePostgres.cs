using BroadcastGrains.Testing;
using Npgsql;

namespace BroadcastGrains.Bench.Run;

/// <summary>
/// A throw-away PostgreSQL in a temp directory on a free port, as tests/run.sh starts it — but with fsync
/// and synchronous commit left on, so that "committed" in (c) costs what it costs in production.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    /// <summary>
    /// What db/README.md recommends for a production server (and docker-compose.yml sets): the defaults
    /// (128 MB buffers, a checkpoint per GB of WAL) are sized for a laptop, not for a write-heavy queue.
    /// </summary>
    public const string ServerSettings = "-c shared_buffers=512MB -c max_wal_size=8GB -c checkpoint_timeout=15min";

    private readonly PostgresServer _server;

    private PrivatePostgres(PostgresServer server, string version)
    {
        _server = server;
        Version = version;
    }

    public int Port => _server.Port;
    public string Version { get; }

    /// <summary>The postmaster's process id (first line of postmaster.pid), for CPU accounting.</summary>
    public int? PostmasterPid
    {
        get
        {
            try
            {
                return int.Parse(File.ReadLines(Path.Combine(_server.DataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                return null;
            }
        }
    }

    public string ConnectionString(string database) => _server.ConnectionString(database);

    public static async Task<PrivatePostgres> StartAsync(bool statementStats, CancellationToken cancellationToken)
    {
        var bin = PostgresServer.FindBin();
        var version = (await CommandRunner.RunAsync(Path.Combine(bin, "postgres"), ["--version"], cancellationToken: cancellationToken)).Trim();
        var pg = new PrivatePostgres(await PostgresServer.InitAsync(bin, "broadcastgrains-bench-pg-", cancellationToken), version);
        try
        {
            await pg._server.StartAsync($"-c max_connections=300 {ServerSettings}"
                + (statementStats ? " -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all" : ""), cancellationToken);
            return pg;
        }
        catch
        {
            await pg.DisposeAsync();
            throw;
        }
    }

    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE); CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Brings the server to rest after a measured program: its database is dropped (no autovacuum of its dead rows
    /// later) and a checkpoint writes out its dirty pages now, so the next row is not measured against the
    /// previous one's leftover I/O.
    /// </summary>
    public async Task SettleAsync(string finishedDatabase, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {finishedDatabase} WITH (FORCE)", connection) { CommandTimeout = 300 };
        await command.ExecuteNonQueryAsync(cancellationToken);
        command.CommandText = "CHECKPOINT";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The statements that cost PostgreSQL the most time since the last reset (needs --pg-stats).</summary>
    public async Task<string> TopStatementsAsync(int count, bool reset, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using (var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection))
            await create.ExecuteNonQueryAsync(cancellationToken);
        var text = new System.Text.StringBuilder();
        await using (var top = new NpgsqlCommand($"""
            SELECT round(total_exec_time)::bigint, calls, rows, round((total_exec_time / greatest(calls, 1))::numeric, 3), left(regexp_replace(query, '\s+', ' ', 'g'), 160)
            FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT {count}
            """, connection))
        await using (var reader = await top.ExecuteReaderAsync(cancellationToken))
        {
            text.AppendLine("total ms | calls | rows | ms/call | statement");
            while (await reader.ReadAsync(cancellationToken))
                text.AppendLine($"{reader.GetInt64(0)} | {reader.GetInt64(1)} | {reader.GetInt64(2)} | {reader.GetDecimal(3)} | {reader.GetString(4)}");
        }
        if (reset)
        {
            await using var clear = new NpgsqlCommand("SELECT pg_stat_statements_reset()", connection);
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }
        return text.ToString();
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
