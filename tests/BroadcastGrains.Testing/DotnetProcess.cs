using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace BroadcastGrains.Testing;

/// <summary>
/// A .NET program (the host, the bench's baseline) in its own OS process: its output handed line by line to the
/// caller, readiness polled on its <c>/readyz</c>, stopped politely with SIGTERM and killed if it does not go.
/// Every child still running is killed when this process exits, however it exits, so none outlives a crashed
/// test run or bench.
/// </summary>
public sealed class DotnetProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(20);
    private readonly Process _process;

    static DotnetProcess()
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

    private DotnetProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <param name="workingDirectory">Its content root; null keeps this process's working directory.</param>
    /// <param name="output">Receives every line of its standard output and error, on a thread-pool thread.</param>
    public static DotnetProcess Start(string dll, IEnumerable<string> args, IEnumerable<KeyValuePair<string, string>> environment,
        string? workingDirectory, Action<string> output)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        start.ArgumentList.Add(dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output(e.Data); };
        process.Start();
        Live[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new DotnetProcess(process);
    }

    /// <summary>
    /// Polls <c>GET /readyz</c> at <paramref name="baseAddress"/> until it answers 2xx. If the process exits first or
    /// <paramref name="within"/> passes, it is killed and the start fails (<see cref="InvalidOperationException"/>,
    /// <see cref="TimeoutException"/>) with <paramref name="name"/> and what <paramref name="details"/> says (its output).
    /// </summary>
    public async Task WaitUntilReadyAsync(string name, Uri baseAddress, TimeSpan within, Func<string> details, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
                throw new InvalidOperationException($"{name} exited during start-up (code {_process.ExitCode}): {details()}");
            try
            {
                using var response = await http.GetAsync(new Uri(baseAddress, "/readyz"), cancellationToken);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // not listening yet
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                Kill(); // nobody else holds it to stop
                throw new TimeoutException($"{name} was not ready within {within}: {details()}");
            }
            await Task.Delay(100, cancellationToken); // poll interval, bounded by the deadline above
        }
    }

    /// <summary>SIGKILL to it and its children: what a crash or an OOM kill does.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM (a graceful stop, as an orchestrator asks for one), and SIGKILL if it is still there after 20 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) term?.WaitForExit();
                using var timeout = new CancellationTokenSource(GracePeriod);
                try
                {
                    await _process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    Kill();
                }
            }
        }
        finally
        {
            Live.TryRemove(_process.Id, out _);
            _process.Dispose();
        }
    }
}
