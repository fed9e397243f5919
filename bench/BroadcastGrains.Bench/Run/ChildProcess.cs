using BroadcastGrains.Testing;

namespace BroadcastGrains.Bench.Run;

/// <summary>
/// A program under test in its own OS process (so each row starts from a fresh runtime), its output in a
/// log file, stopped politely with SIGTERM and killed if it does not go. Every child is also killed when
/// the bench exits, however it exits (<see cref="DotnetProcess"/>).
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly DotnetProcess _process;
    private readonly StreamWriter _log;

    private ChildProcess(DotnetProcess process, StreamWriter log, Uri baseAddress, string logPath)
    {
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
        LogPath = logPath;
    }

    public Uri BaseAddress { get; }
    public string LogPath { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    public static async Task<ChildProcess> StartAsync(
        string name, string dll, IEnumerable<string> args, IDictionary<string, string> environment, Uri baseAddress,
        string logPath, TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath) { AutoFlush = true };
        // The content root is the working directory: started elsewhere, the host would miss its appsettings.json
        // (and log every request at Information level), which no deployment does.
        var process = DotnetProcess.Start(dll, args, environment, Path.GetDirectoryName(dll)!, line => Write(log, line));
        var child = new ChildProcess(process, log, baseAddress, logPath);
        try
        {
            await process.WaitUntilReadyAsync(name, baseAddress, readyTimeout, () => "see " + logPath, cancellationToken);
            return child;
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    private static void Write(StreamWriter log, string line)
    {
        lock (log) log.WriteLine(line);
    }

    public long? ResidentBytes => ProcStats.StatusBytes(Pid, "VmRSS");
    public long? PeakResidentBytes => ProcStats.StatusBytes(Pid, "VmHWM");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.DisposeAsync();
        }
        finally
        {
            lock (_log) _log.Dispose();
        }
    }
}
