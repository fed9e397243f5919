using System.Diagnostics;
using BroadcastGrains.Bench.Load;
using BroadcastGrains.Bench.Sink;

namespace BroadcastGrains.Bench.Run;

/// <summary>
/// (w): a silo that just started, as after a deploy or when an autoscaler adds one. A first process configures the
/// workspaces in a fresh database and stops; a fresh process on that database then gets closed-loop load the moment
/// <c>/readyz</c> answers 200, and the events delivered in each of its first <see cref="FirstSeconds"/> seconds are
/// compared with its steady state after <c>--warmup</c> more seconds of load.
/// </summary>
public sealed class ColdStartStage(RunOptions options, TargetLauncher launcher, ThroughputStage throughput, Action<string> log)
{
    public const int FirstSeconds = 10;

    public async Task<ColdStartResult> RunAsync(PrivatePostgres postgres, CancellationToken cancellationToken)
    {
        var result = new ColdStartResult();
        const string database = "bench_cold";
        await postgres.CreateDatabaseAsync(database, cancellationToken);
        try
        {
            await using var sink = await FakePostHogSink.StartAsync();
            await using (var setup = await launcher.StartAsync(TargetKind.Postgres, "w-setup", postgres.ConnectionString(database), null, cancellationToken))
            {
                log($"  setup silo up (pid {setup.Pid}); configuring {options.Workspaces} workspaces");
                using var provisioner = new WorkspaceProvisioner(setup.BaseAddress, launcher.AdminToken, sink.Endpoint, concurrency: 32);
                await provisioner.ProvisionAsync(0, options.Workspaces, TimeSpan.FromMinutes(20), log, cancellationToken);
            }

            var launched = Stopwatch.GetTimestamp();
            await using var target = await launcher.StartAsync(TargetKind.Postgres, "w-cold", postgres.ConnectionString(database), null, cancellationToken);
            result.TimeToReady = Stopwatch.GetElapsedTime(launched);
            using var load = new LoadGenerator(LoadOptions.For(options, target.BaseAddress, launcher.IngestToken));
            log($"  fresh silo ready after {result.TimeToReady.Value.TotalSeconds:F1} s (pid {target.Pid}); load starts now");

            // One-second closed-loop pieces: the accepted count of each second comes with it, and a connection's
            // pause between two pieces is one request's wait at most.
            long queued = 0;
            var ready = Stopwatch.GetTimestamp();
            for (var second = 0; second < FirstSeconds; second++)
            {
                var piece = await load.RunClosedLoopAsync(TimeSpan.FromSeconds(1), cancellationToken);
                queued += piece.Queued;
                result.AcceptedPerSecond.Add(piece.AcceptedRecordsPerSecond);
                if (piece.Failed > 0) result.Notes.Add($"second {second + 1}: {piece.Failed} ingest requests failed ({piece.LastError})");
            }
            var afterFirst = await load.RunClosedLoopAsync(TimeSpan.FromSeconds(options.WarmupSeconds), cancellationToken);
            queued += afterFirst.Queued;
            var steady = await load.RunClosedLoopAsync(TimeSpan.FromSeconds(options.Seconds), cancellationToken);
            queued += steady.Queued;
            await Task.Delay(SinkCounters.SlotMilliseconds * 2, cancellationToken);

            var second0 = Stopwatch.Frequency;
            for (var second = 0; second < FirstSeconds; second++)
                result.DeliveredPerSecond.Add(sink.Counters.EventsBetween(ready + second * second0, ready + (second + 1) * second0));
            result.SteadyDeliveredPerSecond = ThroughputStage.DeliveredPerSecond(sink.Counters, steady);
            result.SteadyAcceptedPerSecond = steady.AcceptedRecordsPerSecond;
            log($"  first {FirstSeconds} s delivered/s: {string.Join(" ", result.DeliveredPerSecond.Select(v => v.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}; " +
                $"steady {result.SteadyDeliveredPerSecond:F0}/s; ratio {result.Ratio:F2} (accepted {result.AcceptedRatio:F2})");
            if (steady.Failed > 0) result.Notes.Add($"{steady.Failed} ingest requests failed at steady state ({steady.LastError})");
            var drain = new StageResult("w", "cold start");
            await throughput.DrainAsync(sink.Counters, queued, drain, cancellationToken);
            result.Notes.AddRange(drain.Notes);
        }
        finally
        {
            await postgres.SettleAsync(database, CancellationToken.None);
        }
        return result;
    }
}
