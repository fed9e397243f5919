using System.Diagnostics;
using BroadcastGrains.Bench.Load;
using BroadcastGrains.Bench.Sink;

namespace BroadcastGrains.Bench.Run;

/// <summary>
/// One program under test in a fresh process: configure the workspaces through its API, warm up, then
/// measure the closed-loop peak and/or open-loop latency at a fixed rate, draining between phases so that
/// each phase starts with no backlog and every queued event is accounted for.
/// </summary>
public sealed class ThroughputStage(RunOptions options, TargetLauncher launcher, Action<string> log)
{
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(45);

    public async Task RunAsync(
        TargetKind kind, StageResult result, string logName, PrivatePostgres? postgres, string? database, bool measurePeak, double? openLoopRate,
        CancellationToken cancellationToken)
    {
        await using var sink = await FakePostHogSink.StartAsync();
        await using var target = await launcher.StartAsync(kind, logName, database is null ? null : postgres!.ConnectionString(database), null, cancellationToken);
        log($"  {kind} up (pid {target.Pid}, {target.BaseAddress}); configuring {options.Workspaces} workspaces");
        using (var provisioner = new WorkspaceProvisioner(target.BaseAddress, launcher.AdminToken, sink.Endpoint, concurrency: 32))
            await provisioner.ProvisionAsync(0, options.Workspaces, TimeSpan.FromMinutes(20), log, cancellationToken);

        using var load = new LoadGenerator(LoadOptions.For(options, target.BaseAddress, launcher.IngestToken));
        // Every fresh process gets the same closed-loop warm-up: tiered JIT keeps recompiling hot code for tens of
        // seconds under load, and what is measured during that is start-up cost, not steady state.
        var warm = await load.RunClosedLoopAsync(TimeSpan.FromSeconds(options.WarmupSeconds), cancellationToken);
        long queued = warm.Queued;
        log($"  warm-up: {warm}");

        if (measurePeak)
        {
            var metricsBefore = await SaveMetricsAsync(kind, target.BaseAddress, logName + "-metrics-before-peak.txt", cancellationToken);
            var (eventsBefore, batchesBefore) = (sink.Counters.Events, sink.Counters.Batches);
            var cpu = CpuShare.Start(target.Pid, kind == TargetKind.Postgres ? postgres?.PostmasterPid : null);
            var peak = await load.RunClosedLoopAsync(TimeSpan.FromSeconds(options.Seconds), cancellationToken);
            result.PeakCpu = cpu();
            var metricsAfter = await SaveMetricsAsync(kind, target.BaseAddress, logName + "-metrics-after-peak.txt", cancellationToken);
            queued += peak.Queued;
            // Let the last arrival slot of the window close before reading it.
            await Task.Delay(SinkCounters.SlotMilliseconds * 2, cancellationToken);
            result.DeliveredPerSecond = DeliveredPerSecond(sink.Counters, peak);
            result.AcceptedPerSecond = peak.AcceptedRecordsPerSecond;
            result.PeakP50Ms = peak.P50Ms;
            result.PeakP99Ms = peak.P99Ms;
            log($"  peak: {peak}");
            var batches = sink.Counters.Batches - batchesBefore;
            log($"  delivered {result.DeliveredPerSecond:F0} events/s at the sink" +
                (batches > 0 ? $" ({(double)(sink.Counters.Events - eventsBefore) / batches:F0} events per /batch/)" : "") +
                $"; CPU cores target/bench/PostgreSQL/other {result.PeakCpu}" +
                (result.DeliveredPerSecond > 0 ? $"; {result.PeakCpu.Value.Target * 1e6 / result.DeliveredPerSecond:F1} µs of the target's CPU per event" : ""));
            if (GcPhase.Between(metricsBefore, metricsAfter) is { } gc) log($"  GC in the target during the peak: {gc.Describe(peak.Elapsed)}");
            if (result.PeakCpu.Value.Other > 0.15)
                result.Notes.Add($"other processes took {result.PeakCpu.Value.Other:F2} cores during the peak: the machine was not quiet, so this row understates the program");
            if (peak.Failed > 0) result.Notes.Add($"{peak.Failed} ingest requests failed at peak ({peak.LastError})");
            await DrainAsync(sink.Counters, queued, result, cancellationToken);
        }

        if (openLoopRate is { } rate)
        {
            // The open loop starts without the closed loop's backlog (after a peak, the drain above did this).
            if (!measurePeak) await DrainAsync(sink.Counters, queued, result, cancellationToken);
            var openWarm = await load.RunOpenLoopAsync(rate, TimeSpan.FromSeconds(Math.Min(3, options.WarmupSeconds)), cancellationToken);
            queued += openWarm.Queued;
            var openBefore = await SaveMetricsAsync(kind, target.BaseAddress, logName + "-metrics-before-open.txt", cancellationToken);
            var cpu = CpuShare.Start(target.Pid, kind == TargetKind.Postgres ? postgres?.PostmasterPid : null);
            using var benchLag = SchedulingLag.Start();
            var open = await load.RunOpenLoopAsync(rate, TimeSpan.FromSeconds(options.Seconds), cancellationToken);
            var share = cpu();
            var lag = benchLag.Stop();
            var openAfter = await SaveMetricsAsync(kind, target.BaseAddress, logName + "-metrics-after-open.txt", cancellationToken);
            queued += open.Queued;
            result.HalfRate = rate;
            result.HalfAchievedRate = open.AcceptedRecordsPerSecond;
            result.HalfP50Ms = open.P50Ms;
            result.HalfP99Ms = open.P99Ms;
            log($"  open loop at {rate:F0} records/s: {open}; CPU cores target/bench/PostgreSQL/other {share}; bench thread-pool lag p99 {lag.P99Ms:F1} ms, max {lag.MaxMs:F1} ms");
            if (GcPhase.Between(openBefore, openAfter) is { } gc) log($"  GC in the target during the open loop: {gc.Describe(open.Elapsed)}");
            if (share.Other > 0.15)
                result.Notes.Add($"other processes took {share.Other:F2} cores during the half-rate run: its latencies are not clean");
            if (open.Failed > 0 || open.Missed > 0) result.Notes.Add($"at {rate:F0}/s: {open.Failed} failed, {open.Missed} requests never started");
            await DrainAsync(sink.Counters, queued, result, cancellationToken);
        }

        if (sink.Counters.Events > 0) result.EventBytes = (double)sink.Counters.JsonBytes / sink.Counters.Events;
        result.PeakResidentBytes = Math.Max(result.PeakResidentBytes ?? 0, target.PeakResidentBytes ?? 0);
        if (sink.Counters.BadRequests > 0) result.Notes.Add($"the sink refused {sink.Counters.BadRequests} malformed batches");
    }

    /// <summary>
    /// The host's Prometheus text around a measured phase, so that its histograms (journal commit, grain dispatch,
    /// request duration) can be read for that phase alone by subtracting the two.
    /// </summary>
    public async Task<string?> SaveMetricsAsync(TargetKind kind, Uri target, string fileName, CancellationToken cancellationToken)
    {
        if (kind == TargetKind.Baseline) return null;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var text = await http.GetStringAsync(new Uri(target, "/metrics"), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(launcher.LogDirectory, fileName), text, cancellationToken);
            return text;
        }
        catch (HttpRequestException ex)
        {
            log($"  could not read {target}metrics: {ex.Message}");
            return null;
        }
    }

    /// <summary>Events counted at the sink during the measured window, per second of that window.</summary>
    public static double DeliveredPerSecond(SinkCounters counters, LoadResult phase)
    {
        var span = counters.SlotAlignedSpan(phase.StartTimestamp, phase.EndTimestamp);
        return span.TotalSeconds > 0 ? counters.EventsBetween(phase.StartTimestamp, phase.EndTimestamp) / span.TotalSeconds : 0;
    }

    /// <summary>Waits until the sink has every queued event (or delivery stalls), and notes any shortfall.</summary>
    public async Task DrainAsync(SinkCounters counters, long queued, StageResult result, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var lastProgress = started;
        var lastCount = counters.Events;
        while (counters.Events < queued)
        {
            await Task.Delay(250, cancellationToken);
            var now = Stopwatch.GetTimestamp();
            if (counters.Events != lastCount)
            {
                lastCount = counters.Events;
                lastProgress = now;
            }
            if (Stopwatch.GetElapsedTime(lastProgress, now) > StallLimit || Stopwatch.GetElapsedTime(started, now) > DrainLimit) break;
        }
        var drained = Stopwatch.GetElapsedTime(started);
        var missing = queued - counters.Events;
        log($"  drain: {counters.Events}/{queued} queued events at the sink after {drained.TotalSeconds:F1} s" + (missing < 0 ? $" ({-missing} duplicates)" : ""));
        if (missing > 0) result.Notes.Add($"{missing} of {queued} queued events had not reached the sink {drained.TotalSeconds:F0} s after the load stopped");
        if (missing < 0) result.Notes.Add($"the sink counted {-missing} more events than were queued (re-sends)");
    }
}
