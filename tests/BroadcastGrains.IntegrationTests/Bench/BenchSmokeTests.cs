using System.Diagnostics;
using BroadcastGrains.Bench.Baseline;
using BroadcastGrains.Bench.Load;
using BroadcastGrains.Bench.Sink;

namespace BroadcastGrains.IntegrationTests.Bench;

/// <summary>
/// Keeps the bench harness working: the baseline, the sink and the load generator in this process for a few
/// seconds. It asserts that events flowed and were counted, never how fast.
/// </summary>
public sealed class BenchSmokeTests
{
    private const int Workspaces = 20;

    [Fact]
    public async Task Baseline_delivers_every_queued_event_to_the_sink()
    {
        await using var sink = await FakePostHogSink.StartAsync();
        await using var baseline = await BaselineServer.StartAsync(0, new BaselineOptions
        {
            IngestToken = "smoke-ingest",
            AdminToken = "smoke-admin",
            Linger = TimeSpan.FromMilliseconds(200),
        });
        using (var provisioner = new WorkspaceProvisioner(baseline.Address, "smoke-admin", sink.Endpoint, concurrency: 4))
            await provisioner.ProvisionAsync(0, Workspaces, TimeSpan.FromSeconds(30), progress: null, CancellationToken.None);
        Assert.Equal(Workspaces, sink.Counters.FlagChecks);

        using var load = new LoadGenerator(new LoadOptions
        {
            Target = baseline.Address,
            IngestToken = "smoke-ingest",
            Workspaces = Workspaces,
            RecordsPerRequest = 20,
            Connections = 2,
            Templates = 2,
        });
        var closed = await load.RunClosedLoopAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
        var open = await load.RunOpenLoopAsync(200, TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.True(closed.Accepted > 0, closed.ToString());
        Assert.Equal(0, closed.Failed + open.Failed);
        Assert.Equal(closed.RecordsAccepted + open.RecordsAccepted, closed.Queued + open.Queued);
        Assert.InRange(load.AverageRecordBytes, 1024, 2048);

        var expected = closed.Queued + open.Queued;
        var deadline = Stopwatch.GetTimestamp() + 15 * Stopwatch.Frequency;
        while (sink.Counters.Events < expected && Stopwatch.GetTimestamp() < deadline) await Task.Delay(50);

        Assert.Equal(expected, sink.Counters.Events);
        Assert.Equal(0, sink.Counters.BadRequests);
        Assert.Equal(Workspaces, sink.Counters.Keys);
        long perKey = 0;
        for (var i = 0; i < Workspaces; i++) perKey += sink.Counters.EventsFor(BenchNames.ApiKey(i));
        Assert.Equal(expected, perKey);
        Assert.Equal(expected, sink.Counters.EventsBetween(0, Stopwatch.GetTimestamp() + Stopwatch.Frequency));
    }
}
