namespace BroadcastGrains.Testing;

/// <summary>
/// A PostgreSQL server of our own, as tests/run.sh starts one: a cluster made by <c>initdb</c> in a temporary
/// directory, served by <c>pg_ctl</c> on a free port of 127.0.0.1, the directory deleted on dispose. As root the
/// tools run as the <c>postgres</c> user, since PostgreSQL refuses to run as root.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dir;
    private readonly bool _asPostgresUser;

    private PostgresServer(string bin, string dir, string user, bool asPostgresUser, int port)
    {
        _bin = bin;
        _dir = dir;
        User = user;
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    public int Port { get; }
    /// <summary>The superuser the cluster was made with; connections need no password (trust).</summary>
    public string User { get; }
    public string DataDirectory => Path.Combine(_dir, "data");

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username={User};Database={database}";

    /// <summary>The newest PostgreSQL of the Debian layout, /usr/lib/postgresql/VERSION/bin, or null.</summary>
    public static string? TryFindBin()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Where(d => File.Exists(Path.Combine(d, "bin", "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var version) ? version : 0)
            : Enumerable.Empty<string>();
        return candidates.Select(d => Path.Combine(d, "bin")).FirstOrDefault();
    }

    public static string FindBin() =>
        TryFindBin() ?? throw new InvalidOperationException("no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)");

    /// <summary>Makes a new cluster (not started yet) with the binaries of <paramref name="bin"/>.</summary>
    public static async Task<PostgresServer> InitAsync(string bin, string directoryPrefix, CancellationToken cancellationToken = default)
    {
        var root = Environment.UserName == "root";
        var user = root ? "postgres" : Environment.UserName;
        var dir = Directory.CreateTempSubdirectory(directoryPrefix).FullName;
        var server = new PostgresServer(bin, dir, user, root, Loopback.FreePort());
        try
        {
            if (root)
            {
                await CommandRunner.RunAsync("chmod", ["755", dir], cancellationToken: cancellationToken);
                await CommandRunner.RunAsync("chown", ["postgres", dir], cancellationToken: cancellationToken);
            }
            await server.RunToolAsync("initdb", ["-D", server.DataDirectory, "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts (or starts again) the server; <paramref name="settings"/> are further <c>-c name=value</c> options.</summary>
    public Task StartAsync(string settings, CancellationToken cancellationToken = default) => RunToolAsync("pg_ctl",
    [
        "-D", DataDirectory, "-l", Path.Combine(_dir, "postgres.log"), "-w", "-t", "60", "start",
        "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 {settings}",
    ], cancellationToken);

    /// <summary>Stops the server in a <c>pg_ctl</c> shutdown mode: smart, fast (sessions terminated) or immediate.</summary>
    public Task StopAsync(string mode, CancellationToken cancellationToken = default) =>
        RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", mode, "-w", "-t", "60", "stop"], cancellationToken);

    private Task<string> RunToolAsync(string tool, string[] args, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_bin, tool);
        return _asPostgresUser
            ? CommandRunner.RunAsync("su", ["postgres", "-s", "/bin/sh", "-c", string.Join(' ', new[] { path }.Concat(args).Select(Quote))], cancellationToken: cancellationToken)
            : CommandRunner.RunAsync(path, args, cancellationToken: cancellationToken);
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync("immediate");
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
