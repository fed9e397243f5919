using System.Diagnostics;
using Npgsql;

namespace BroadcastGrains.IntegrationTests.Support;

/// <summary>
/// A PostgreSQL server of one test's own, which the test may stop and start again (the shared server of
/// tests/run.sh must never go down: other tests run on it). Same binaries and settings as run.sh: the bin
/// directory comes from <c>BROADCAST_TEST_PG_BIN</c> (exported by run.sh), and as root it runs as the
/// <c>postgres</c> user, since PostgreSQL refuses to run as root.
/// </summary>
public sealed class RestartablePostgres : IAsyncDisposable
{
    public const string BinVariable = "BROADCAST_TEST_PG_BIN";

    private readonly string _bin;
    private readonly string _dir;
    private readonly string _user;
    private readonly bool _asPostgres;

    private RestartablePostgres(string bin, string dir, string user, bool asPostgres, int port)
    {
        _bin = bin;
        _dir = dir;
        _user = user;
        _asPostgres = asPostgres;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={_user};Database={database};Pooling=true;Maximum Pool Size=50";

    public static async Task<RestartablePostgres> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable(BinVariable);
        if (string.IsNullOrEmpty(bin) || !File.Exists(Path.Combine(bin, "pg_ctl")))
            throw new InvalidOperationException($"{BinVariable} is not set: run the tests with tests/run.sh, which finds PostgreSQL and sets it.");
        var root = Environment.UserName == "root";
        var user = root ? "postgres" : Environment.UserName;
        var dir = Directory.CreateTempSubdirectory("broadcastgrains-outage-pg-").FullName;
        if (root)
        {
            await ExecAsync("chmod", ["755", dir]);
            await ExecAsync("chown", ["postgres", dir]);
        }
        var pg = new RestartablePostgres(bin, dir, user, root, TestHost.FreePort());
        try
        {
            await pg.AsUserAsync("initdb", ["-D", pg.Data, "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
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

    private string Data => Path.Combine(_dir, "data");

    /// <summary>Stops the server (fast: open sessions are terminated, as when an operator or a failover stops it).</summary>
    public Task StopAsync() => AsUserAsync("pg_ctl", ["-D", Data, "-m", "fast", "-w", "-t", "60", "stop"]);

    public Task StartAgainAsync() => AsUserAsync("pg_ctl",
    [
        "-D", Data, "-l", Path.Combine(_dir, "postgres.log"), "-w", "-t", "60", "start",
        "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off",
    ]);

    private Task AsUserAsync(string program, string[] args)
    {
        var path = Path.Combine(_bin, program);
        return _asPostgres
            ? ExecAsync("su", ["postgres", "-s", "/bin/sh", "-c", string.Join(' ', new[] { path }.Concat(args).Select(Quote))])
            : ExecAsync(path, args);
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task ExecAsync(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/tmp" };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await AsUserAsync("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // never started, or already stopped
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
