using BroadcastGrains.Bench.Load;
using BroadcastGrains.Bench.Sink;

namespace BroadcastGrains.Bench.Run;

/// <summary>
/// (s): N host processes of one cluster on this machine (<c>Broadcast:Clustering=Postgres</c>, Postgres storage, one
/// fresh database), the load spread over their HTTP APIs round-robin by connection. Reports delivered events/s and
/// the CPU of all silos plus PostgreSQL per delivered event, which on one machine is what tells whether an added silo
/// adds capacity or mostly costs (the silos share the two cores, so events/s alone cannot grow).
/// </summary>
public sealed class ScaleOutStage(RunOptions options, TargetLauncher launcher, ThroughputStage throughput, Action<string> log)
{
    public async Task<ScaleOutResult> RunAsync(int silos, PrivatePostgres postgres, CancellationToken cancellationToken)
    {
        var result = new ScaleOutResult(silos);
        var database = $"bench_s{silos}";
        await postgres.CreateDatabaseAsync(database, cancellationToken);
        await using var sink = await FakePostHogSink.StartAsync();
        var cluster = new List<ChildProcess>();
        try
        {
            var clustering = new Dictionary<string, string> { ["Broadcast__Clustering"] = "Postgres" };
            // One after the other: the first applies the schema, and each joins a cluster that is already up.
            for (var i = 0; i < silos; i++)
            {
                var silo = await launcher.StartAsync(TargetKind.Postgres, $"s{silos}-silo{i + 1}", postgres.ConnectionString(database), clustering, cancellationToken);
                cluster.Add(silo);
                log($"  silo {i + 1} of {silos} up (pid {silo.Pid}, {silo.BaseAddress})");
            }
            log($"  configuring {options.Workspaces} workspaces through silo 1");
            using (var provisioner = new WorkspaceProvisioner(cluster[0].BaseAddress, launcher.AdminToken, sink.Endpoint, concurrency: 32))
                await provisioner.ProvisionAsync(0, options.Workspaces, TimeSpan.FromMinutes(20), log, cancellationToken);

            using var load = new LoadGenerator(LoadOptions.For(options, cluster[0].BaseAddress, launcher.IngestToken) with
            {
                SpreadOver = cluster.Select(s => s.BaseAddress).ToList(),
                Connections = Math.Max(options.Connections, silos),
            });
            var warm = await load.RunClosedLoopAsync(TimeSpan.FromSeconds(options.WarmupSeconds), cancellationToken);
            long queued = warm.Queued;
            log($"  warm-up: {warm}");

            var before = new List<string?>();
            for (var i = 0; i < cluster.Count; i++)
                before.Add(await throughput.SaveMetricsAsync(TargetKind.Postgres, cluster[i].BaseAddress, $"s{silos}-silo{i + 1}-metrics-before-peak.txt", cancellationToken));
            var pids = cluster.Select(s => s.Pid).ToList();
            var perSilo = pids.Select(p => CpuShare.Start(p, null)).ToList();
            var cpu = CpuShare.Start(pids, postgres.PostmasterPid);
            var peak = await load.RunClosedLoopAsync(TimeSpan.FromSeconds(options.Seconds), cancellationToken);
            result.Cpu = cpu();
            result.SiloCores.AddRange(perSilo.Select(share => share().Target));
            for (var i = 0; i < cluster.Count; i++)
            {
                var after = await throughput.SaveMetricsAsync(TargetKind.Postgres, cluster[i].BaseAddress, $"s{silos}-silo{i + 1}-metrics-after-peak.txt", cancellationToken);
                result.LocalShares += Delta(before[i], after, "broadcast_ingest_shares_total", "where=\"local\"");
                result.RemoteShares += Delta(before[i], after, "broadcast_ingest_shares_total", "where=\"remote\"");
                result.FallbackShares += Delta(before[i], after, "broadcast_ingest_shares_total", "where=\"fallback\"");
                result.MisplacedEnqueues += Delta(before[i], after, "broadcast_destination_misplaced_enqueues_total", null);
            }
            queued += peak.Queued;
            await Task.Delay(SinkCounters.SlotMilliseconds * 2, cancellationToken);
            result.DeliveredPerSecond = ThroughputStage.DeliveredPerSecond(sink.Counters, peak);
            result.AcceptedPerSecond = peak.AcceptedRecordsPerSecond;
            result.PeakP99Ms = peak.P99Ms;
            log($"  peak: {peak}");
            log($"  {silos} silo(s): delivered {result.DeliveredPerSecond:F0} events/s; CPU cores silos/bench/PostgreSQL/other {result.Cpu} " +
                $"(per silo {string.Join(" + ", result.SiloCores.Select(c => c.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}); " +
                $"{result.MicrosPerEvent:F1} µs of silos + PostgreSQL CPU per event; request shares local/remote/fallback " +
                $"{result.LocalShares}/{result.RemoteShares}/{result.FallbackShares}, misplaced destination calls {result.MisplacedEnqueues}");
            if (result.Cpu.Value.Other > 0.15)
                result.Notes.Add($"other processes took {result.Cpu.Value.Other:F2} cores during the peak: the machine was not quiet");
            if (peak.Failed > 0) result.Notes.Add($"{peak.Failed} ingest requests failed at peak ({peak.LastError})");
            var drain = new StageResult("s", $"{silos} silos");
            await throughput.DrainAsync(sink.Counters, queued, drain, cancellationToken);

            // The same offered rate for every N: at saturation the silos' cost per event also carries what three
            // runtimes fighting over two cores cost (and smaller batches at a lower rate), which separate machines
            // would not; below saturation, what is left is the work.
            var rate = options.ScaleOutRate;
            var openWarm = await load.RunOpenLoopAsync(rate, TimeSpan.FromSeconds(Math.Min(5, options.WarmupSeconds)), cancellationToken);
            queued += openWarm.Queued;
            var fixedCpu = CpuShare.Start(pids, postgres.PostmasterPid);
            var open = await load.RunOpenLoopAsync(rate, TimeSpan.FromSeconds(options.Seconds), cancellationToken);
            result.FixedCpu = fixedCpu();
            queued += open.Queued;
            await Task.Delay(SinkCounters.SlotMilliseconds * 2, cancellationToken);
            result.FixedRate = rate;
            result.FixedDeliveredPerSecond = ThroughputStage.DeliveredPerSecond(sink.Counters, open);
            result.FixedP99Ms = open.P99Ms;
            log($"  open loop at {rate:F0} records/s: {open}; CPU cores silos/bench/PostgreSQL/other {result.FixedCpu}; " +
                $"{result.FixedMicrosPerEvent:F1} µs of silos + PostgreSQL CPU per event");
            if (open.Failed > 0 || open.Missed > 0) result.Notes.Add($"at {rate:F0} records/s: {open.Failed} failed, {open.Missed} requests never started: the fixed rate is too high for {silos} silos");
            await throughput.DrainAsync(sink.Counters, queued, drain, cancellationToken);
            result.Notes.AddRange(drain.Notes);
        }
        finally
        {
            // All at once: a silo stopping alone hands its grains to the others, which would only lengthen the stop.
            await Task.WhenAll(cluster.Select(s => s.DisposeAsync().AsTask()));
            await postgres.SettleAsync(database, CancellationToken.None);
        }
        return result;
    }

    /// <summary>A counter's growth between two Prometheus texts of one silo, summed over the series that carry <paramref name="label"/>.</summary>
    private static long Delta(string? before, string? after, string name, string? label) =>
        (long)((PrometheusText.Sum(after, name, label) ?? 0) - (PrometheusText.Sum(before, name, label) ?? 0));
}
