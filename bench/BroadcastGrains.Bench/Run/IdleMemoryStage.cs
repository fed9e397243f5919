using System.Diagnostics;
using BroadcastGrains.Bench.Load;
using BroadcastGrains.Bench.Sink;

namespace BroadcastGrains.Bench.Run;

/// <summary>
/// (d): resident memory of a Postgres-mode silo holding many configured workspaces whose destinations are
/// idle, once Orleans has deactivated their grains. The difference to the same silo before the workspaces
/// were added, divided by their number, is the cost of an idle tenant.
/// </summary>
public sealed class IdleMemoryStage(RunOptions options, TargetLauncher launcher, Action<string> log)
{
    /// <summary>
    /// Orleans refuses a CollectionAge that is not above CollectionQuantum (default one minute), so the quantum
    /// is shortened too; a grain idle for CollectionAge is collected at the next quantum tick.
    /// </summary>
    private static readonly TimeSpan CollectionAge = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan CollectionQuantum = TimeSpan.FromSeconds(15);
    private const int WarmupWorkspaces = 200;

    public async Task<IdleMemoryResult> RunAsync(string postgres, CancellationToken cancellationToken)
    {
        var n = options.IdleWorkspaces;
        var result = new IdleMemoryResult { Workspaces = n };
        await using var sink = await FakePostHogSink.StartAsync();
        var extra = new Dictionary<string, string>
        {
            ["Orleans__GrainCollection__CollectionAge"] = CollectionAge.ToString("c"),
            ["Orleans__GrainCollection__CollectionQuantum"] = CollectionQuantum.ToString("c"),
        };
        await using var target = await launcher.StartAsync(TargetKind.Postgres, "d-idle-memory", postgres, extra, cancellationToken);
        using var provisioner = new WorkspaceProvisioner(target.BaseAddress, launcher.AdminToken, sink.Endpoint, concurrency: 64);

        // Exercise every code path once (JIT, connection pools, Orleans caches) so that one-off costs are not
        // charged to the workspaces; these few are outside the measured range and negligible.
        await provisioner.ProvisionAsync(n, n + WarmupWorkspaces, TimeSpan.FromMinutes(5), log, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        result.EmptyBytes = await SampleAsync(target, 3, TimeSpan.FromSeconds(1), cancellationToken);
        (result.EmptyHeapBytes, result.EmptyAfterGcBytes) = await AfterInducedGcAsync(target, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), cancellationToken);
        log($"  empty silo: {Mb(result.EmptyBytes)} resident" + (result.EmptyAfterGcBytes is { } e ? $", {Mb(e)} after an induced GC" : "")
            + (result.EmptyHeapBytes is { } eh ? $" (managed heap {Mb(eh)})" : ""));

        log($"  configuring {n} workspaces");
        var started = Stopwatch.GetTimestamp();
        await provisioner.ProvisionAsync(0, n, TimeSpan.FromMinutes(40), log, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        result.ProvisionPerSecond = n / elapsed.TotalSeconds;
        log($"  configured {n} workspaces in {elapsed.TotalSeconds:F0} s ({result.ProvisionPerSecond:F0}/s); resident now {Mb(target.ResidentBytes ?? 0)}");

        var wait = CollectionAge + 2 * CollectionQuantum + TimeSpan.FromSeconds(10);
        log($"  waiting {wait.TotalSeconds:F0} s for idle grains to be deactivated");
        await Task.Delay(wait, cancellationToken);
        var settled = await SettleAsync(target, TimeSpan.FromMinutes(5), cancellationToken);
        log($"  settled {settled.TotalSeconds:F0} s later: no memory trim for 30 s and resident memory steady");
        result.IdleBytes = await SampleAsync(target, 6, TimeSpan.FromSeconds(5), cancellationToken);
        (result.IdleHeapBytes, result.IdleAfterGcBytes) = await AfterInducedGcAsync(target, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), cancellationToken);
        result.PeakBytes = target.PeakResidentBytes ?? 0;
        log($"  idle silo: {Mb(result.IdleBytes)} resident ({result.BytesPerWorkspace:F0} B/workspace)" +
            (result.BytesPerWorkspaceAfterGc is { } g ? $", {Mb(result.IdleAfterGcBytes!.Value)} after an induced GC ({g:F0} B/workspace)" : "") +
            (result.HeapBytesPerWorkspace is { } h ? $"; managed heap {Mb(result.IdleHeapBytes!.Value)} ({h:F0} B/workspace)" : ""));
        return result;
    }

    /// <summary>
    /// Waits until the wave of deactivations is over and the silo has given back what it will: its memory trimmer
    /// has not trimmed for 30 s (<c>broadcast_memory_trims_total</c>) and VmRSS moved less than 1 % in that time. A fixed
    /// wait read the silo mid-wave in run 12 (2,379 B per workspace, against 888 B once it had settled).
    /// </summary>
    private static async Task<TimeSpan> SettleAsync(ChildProcess target, TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var history = new List<(long Trims, long Resident)>();
        const int window = 6; // readings 5 s apart: 30 s
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            var text = await http.GetStringAsync(new Uri(target.BaseAddress, "/metrics"), cancellationToken);
            var trims = (long)(PrometheusText.Sum(text, "broadcast_memory_trims_total") ?? 0);
            history.Add((trims, target.ResidentBytes ?? throw new InvalidOperationException("the silo exited")));
            if (history.Count > window)
            {
                var span = history.Skip(history.Count - window - 1).ToList();
                var low = span.Min(h => h.Resident);
                if (span[0].Trims == span[^1].Trims && span.Max(h => h.Resident) - low < low / 100) break;
            }
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        }
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Induces a full GC in the silo; its managed heap size, and VmRSS once the process settled (both null when the GC could not be triggered).</summary>
    private static async Task<(long? HeapBytes, long? ResidentBytes)> AfterInducedGcAsync(
        ChildProcess target, TimeSpan settle, TimeSpan sampleInterval, CancellationToken cancellationToken)
    {
        var gc = await GcTrigger.CollectAsync(target.Pid);
        if (!gc.Collected) return (null, null);
        await Task.Delay(settle, cancellationToken);
        return (gc.HeapBytes, await SampleAsync(target, 3, sampleInterval, cancellationToken));
    }

    /// <summary>The median of a few VmRSS readings, so one reading during a GC does not decide the result.</summary>
    private static async Task<long> SampleAsync(ChildProcess target, int count, TimeSpan interval, CancellationToken cancellationToken)
    {
        var samples = new List<long>(count);
        for (var i = 0; i < count; i++)
        {
            if (i > 0) await Task.Delay(interval, cancellationToken);
            samples.Add(target.ResidentBytes ?? throw new InvalidOperationException("the silo exited"));
        }
        samples.Sort();
        return samples[samples.Count / 2];
    }

    public static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:F1} MiB";
}
