using System.Diagnostics;
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

    private readonly string _bin;
    private readonly string _dir;
    private readonly string _user;
    private readonly bool _asPostgresUser;

    private PrivatePostgres(string bin, string dir, string user, bool asPostgresUser, int port, string version)
    {
        _bin = bin;
        _dir = dir;
        _user = user;
        _asPostgresUser = asPostgresUser;
        Port = port;
        Version = version;
    }

    public int Port { get; }
    public string Version { get; }

    /// <summary>The postmaster's process id (first line of postmaster.pid), for CPU accounting.</summary>
    public int? PostmasterPid
    {
        get
        {
            try
            {
                return int.Parse(File.ReadLines(Path.Combine(_dir, "data", "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                return null;
            }
        }
    }

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username={_user};Database={database}";

    /// <summary>The newest PostgreSQL of the Debian layout, /usr/lib/postgresql/VERSION/bin.</summary>
    public static string FindBin()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var version) ? version : 0)
            : Enumerable.Empty<string>();
        return candidates.Select(d => Path.Combine(d, "bin")).FirstOrDefault()
            ?? throw new InvalidOperationException("no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)");
    }

    public static async Task<PrivatePostgres> StartAsync(bool statementStats, CancellationToken cancellationToken)
    {
        var bin = FindBin();
        var root = Environment.UserName == "root";
        var user = root ? "postgres" : Environment.UserName;
        var dir = Directory.CreateTempSubdirectory("broadcastgrains-bench-pg-").FullName;
        if (root)
        {
            // PostgreSQL refuses to run as root.
            await ExecAsync("chmod", ["755", dir], cancellationToken);
            await ExecAsync("chown", ["postgres", dir], cancellationToken);
        }
        var port = Loopback.FreePort();
        var pg = new PrivatePostgres(bin, dir, user, root, port, (await ExecAsync(Path.Combine(bin, "postgres"), ["--version"], cancellationToken)).Trim());
        try
        {
            await pg.AsUserAsync(Path.Combine(bin, "initdb"), ["-D", Path.Combine(dir, "data"), "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], cancellationToken);
            await pg.AsUserAsync(Path.Combine(bin, "pg_ctl"),
            [
                "-D", Path.Combine(dir, "data"), "-l", Path.Combine(dir, "postgres.log"), "-w", "-t", "60", "start",
                "-o", $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c max_connections=300 {ServerSettings}"
                    + (statementStats ? " -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all" : ""),
            ], cancellationToken);
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

    private Task<string> AsUserAsync(string program, string[] args, CancellationToken cancellationToken) =>
        _asPostgresUser
            ? ExecAsync("su", ["postgres", "-s", "/bin/sh", "-c", string.Join(' ', new[] { program }.Concat(args).Select(Quote))], cancellationToken)
            : ExecAsync(program, args, cancellationToken);

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task<string> ExecAsync(string program, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/tmp" };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        return await stdout;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await AsUserAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_dir, "data"), "-m", "fast", "-w", "stop"], CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // never started, or already gone
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
