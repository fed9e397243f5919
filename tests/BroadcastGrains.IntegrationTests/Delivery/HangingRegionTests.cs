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
        // Production lanes and deadlines (256 main-lane sends, 30 s deadline, 1 s hang threshold); only the linger
        // is the test host's 50 ms. Disposed in reverse: the hanging region first, so that its held requests end at
        // once and the host's shutdown finds nothing hanging.
        await using var host = await TestHost.StartAsync();
        await using var healthy = await FakePostHog.StartAsync();
        await using var region = await HangingPostHog.StartAsync();
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
        // The region holds at least a full silo-wide send cap of requests before the healthy tenant sends (with one
        // semaphore over the whole request, exactly that many: the healthy send queued behind them for 30 s).
        await Eventually.True(() => region.Held >= 256, "the hanging region holds 256 sends", TimeSpan.FromSeconds(60));

        var started = Stopwatch.StartNew();
        var r = await host.Ingest().Post("/v1/traces", TraceJson.Array(Enumerable.Range(0, 5).Select(i => TraceJson.Minimal(healthyWs, $"healthy-{i}"))));
        Assert.Equal(202, r.Status);
        await Eventually.True(() => healthy.EventsFor(healthyKey).Count == 5, "the healthy tenant's 5 events delivered", TimeSpan.FromSeconds(15));
        output.WriteLine($"healthy tenant delivered {started.Elapsed.TotalSeconds:0.00} s after its request; region held {region.Held} of {region.Received} sends");

        // Its endpoint still hangs, and the hanging sends were parked, not simply abandoned.
        Assert.True(region.Held > 0, $"the region still holds sends ({region.Held})");
    }
}
