using System.Collections.Concurrent;
using System.Diagnostics;

namespace BroadcastGrains.Bench.Run;

/// <summary>
/// A program under test in its own OS process (so each row starts from a fresh runtime), its output in a
/// log file, stopped politely with SIGTERM and killed if it does not go. Every child is also killed when
/// the bench exits, however it exits.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private readonly Process _process;
    private readonly StreamWriter _log;

    static ChildProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var p in Live.Values)
            {
                try
                {
                    if (!p.HasExited) p.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }
            }
        };
    }

    private ChildProcess(Process process, StreamWriter log, Uri baseAddress, string logPath)
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
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The content root is the working directory: started elsewhere, the host would miss its appsettings.json
            // (and log every request at Information level), which no deployment does.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        Live[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new ChildProcess(process, log, baseAddress, logPath);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (long)(readyTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await child.DisposeAsync();
                throw new InvalidOperationException($"{name} exited during start-up (code {process.ExitCode}); see {logPath}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri(baseAddress, "/readyz"), cancellationToken);
                if (response.IsSuccessStatusCode) return child;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // not listening yet
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                await child.DisposeAsync();
                throw new TimeoutException($"{name} was not ready within {readyTimeout}; see {logPath}");
            }
            await Task.Delay(200, cancellationToken);
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null) return;
        lock (log) log.WriteLine(line);
    }

    public long? ResidentBytes => ProcStats.StatusBytes(Pid, "VmRSS");
    public long? PeakResidentBytes => ProcStats.StatusBytes(Pid, "VmHWM");

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill?.WaitForExit();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await _process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        finally
        {
            Live.TryRemove(_process.Id, out _);
            _process.Dispose();
            lock (_log) _log.Dispose();
        }
    }
}
