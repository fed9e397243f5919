using System.Diagnostics;
using BroadcastGrains.IntegrationTests.Support;
using Xunit.Abstractions;

namespace BroadcastGrains.IntegrationTests.Delivery;

/// <summary>CONTRACT §8.2: no destination's send waits on another tenant's endpoint.</summary>
public sealed class HangingRegionTests(ITestOutputHelper output)
{
    private const int HangingWorkspaces = 60;
    private const int DestinationsPerWorkspace = 5; // the most a workspace may have: 300 hanging destinations

    [Fact]
    public async Task While_300_endpoints_hang_a_healthy_destination_still_delivers_promptly()
    {
        // Production lanes and deadlines (256 main-lane sends, 1024 slow ones, 30 s deadline, 1 s hang threshold);
        // only the linger is the test host's 50 ms. Disposed in reverse: the hanging region first, so that its held
        // requests end at once and the host's shutdown finds nothing hanging.
        await using var host = await TestHost.StartAsync();
        await using var healthy = await FakePostHog.StartAsync();
        await using var region = await HangingPostHog.StartAsync();

        await HangThenDeliverHealthy(host, region, healthy, heldBeforeHealthySends: 256);

        // Its endpoint still hangs, and the hanging sends were parked in the slow lane, not abandoned.
        Assert.True(region.Held > 0, $"the region still holds sends ({region.Held})");
    }

    [Fact]
    public async Task With_a_small_slow_lane_the_overflow_is_given_up_as_timeouts_and_the_hanging_destinations_stay_out_of_the_main_lane()
    {
        const int slowLane = 50;
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Broadcast:Delivery:MaxSlowSends"] = slowLane.ToString() });
        await using var healthy = await FakePostHog.StartAsync();
        await using var region = await HangingPostHog.StartAsync();

        await HangThenDeliverHealthy(host, region, healthy, heldBeforeHealthySends: slowLane);

        // The 250 that found the slow lane full were cancelled a threshold after they started; from then on their
        // destinations send only in the slow lane, so the region never again holds more than it.
        await Eventually.True(() => region.Held <= slowLane, $"the region holds at most {slowLane} sends", TimeSpan.FromSeconds(30));
        Assert.True(region.Received > slowLane, $"the region received {region.Received} sends");
    }

    /// <summary>
    /// 300 destinations on the hanging region, each with traffic; once the region holds
    /// <paramref name="heldBeforeHealthySends"/> of their sends, one healthy destination gets 5 traces, which must
    /// reach its PostHog within a generous deadline.
    /// </summary>
    private async Task HangThenDeliverHealthy(TestHost host, HangingPostHog region, FakePostHog healthy, int heldBeforeHealthySends)
    {
        var admin = host.Admin();
        var (healthyWs, _, healthyKey) = await host.NewWorkspaceWithDestination(healthy);

        var workspaces = Enumerable.Range(0, HangingWorkspaces).Select(_ => Ids.Workspace()).ToList();
        await Parallel.ForEachAsync(workspaces, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (ws, _) =>
        {
            Assert.Equal(200, (await admin.Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);
            for (var d = 0; d < DestinationsPerWorkspace; d++)
            {
                var created = await admin.Post($"/v1/workspaces/{ws}/destinations",
                    $$$"""{"type":"posthog","config":{"api_key":"{{{Ids.ApiKey()}}}","endpoint":"{{{region.Endpoint}}}"}}""");
                Assert.True(created.Status == 201, created.ToString());
            }
        });

        var traffic = await host.Ingest().Post("/v1/traces", TraceJson.Array(workspaces.Select(ws => TraceJson.Minimal(ws, "to-the-hanging-region"))));
        Assert.Equal(202, traffic.Status);
        Assert.Equal(HangingWorkspaces * DestinationsPerWorkspace, traffic.Json["queued"]!.GetValue<int>());
        // With one semaphore over each whole request the region held exactly the silo-wide cap (256) of them, and
        // the healthy send queued behind them for their 30 s deadline.
        await Eventually.True(() => region.Held >= heldBeforeHealthySends, $"the hanging region holds {heldBeforeHealthySends} sends", TimeSpan.FromSeconds(60));

        var started = Stopwatch.StartNew();
        var r = await host.Ingest().Post("/v1/traces", TraceJson.Array(Enumerable.Range(0, 5).Select(i => TraceJson.Minimal(healthyWs, $"healthy-{i}"))));
        Assert.Equal(202, r.Status);
        await Eventually.True(() => healthy.EventsFor(healthyKey).Count == 5, "the healthy tenant's 5 events delivered", TimeSpan.FromSeconds(15));
        output.WriteLine($"healthy tenant delivered {started.Elapsed.TotalSeconds:0.00} s after its request; region held {region.Held} of {region.Received} sends");
    }
}
