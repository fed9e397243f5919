using BroadcastGrains.Destinations;
using BroadcastGrains.Grains;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.KeyRing;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.IntegrationTests.Support;
using BroadcastGrains.PostHog;
using BroadcastGrains.PostHog.Delivery;
using BroadcastGrains.PostHog.Network;
using BroadcastGrains.Traces;
using BroadcastGrains.Workspaces;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace BroadcastGrains.IntegrationTests.Grains;

/// <summary>The destination grain on an Orleans TestingHost cluster, talking to the fake PostHog over real sockets.</summary>
public sealed class DestinationGrainClusterTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;
    private FakePostHog _postHog = null!;

    public async Task InitializeAsync()
    {
        _postHog = await FakePostHog.StartAsync();
        _cluster = await DestinationTestCluster.StartAsync(new MemoryBudget(long.MaxValue));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _postHog.DisposeAsync();
    }

    [Fact]
    public async Task Enqueue_is_not_blocked_by_a_send_in_flight_and_nothing_is_lost_or_duplicated()
    {
        var key = Ids.ApiKey();
        var release = new TaskCompletionSource();
        var first = true;
        _postHog.BatchFault = b =>
        {
            if (!first) return null;
            first = false;
            return new FakeAnswer(200, Hold: release.Task); // the first batch hangs until released
        };
        var ws = Ids.Workspace();
        var destination = _cluster.Client.GetGrain<IDestinationGrain>(DestinationIdentity.Key(ws, "dst_grain"));
        Assert.True(await destination.Create(new DestinationConfig { Name = "t", ApiKey = key, Endpoint = _postHog.Endpoint }, broadcastEnabled: true));

        Assert.Equal(1, (await destination.Enqueue([Record(ws, "first")], null)).Queued);
        await Eventually.True(() => _postHog.Batches.Count == 1, "first send in flight");

        // The grain is inside an HTTP call that will not return; it must still take new events.
        var more = Enumerable.Range(0, 700).Select(i => Record(ws, $"more-{i:D3}")).ToList();
        var result = await destination.Enqueue(more, null).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(700, result.Queued);
        Assert.Single(_postHog.Batches);
        Assert.Equal(701, (await destination.GetView())!.Delivery.Pending);

        release.SetResult();
        await Eventually.True(() => _postHog.EventsFor(key).Count >= 701, "everything delivered");
        var ids = _postHog.EventsFor(key).Select(e => e["properties"]!["$ai_span_id"]!.GetValue<string>()).ToList();
        Assert.Equal(["first", .. more.Select(r => r.GenerationId)], ids);
        Assert.All(_postHog.Batches, b => Assert.InRange(b.Events.Count, 1, 500));
        var view = (await destination.GetView())!;
        Assert.Equal(0, view.Delivery.Pending);
        Assert.Equal(701, view.Delivery.Delivered);
    }

    [Fact]
    public async Task A_disabled_destination_skips_records()
    {
        var ws = Ids.Workspace();
        var destination = _cluster.Client.GetGrain<IDestinationGrain>(DestinationIdentity.Key(ws, "dst_off"));
        await destination.Create(new DestinationConfig { Name = "t", ApiKey = Ids.ApiKey(), Endpoint = _postHog.Endpoint, Enabled = false }, broadcastEnabled: true);
        var result = await destination.Enqueue([Record(ws, "x")], null);
        Assert.Equal(1, result.Skipped);
        Assert.Equal(0, result.Queued);
        Assert.Equal("disabled", (await destination.GetView())!.Delivery.State);
    }

    [Fact]
    public async Task Turning_broadcast_off_stops_destinations_that_a_stale_route_still_reaches()
    {
        // A front end on another silo may route from a cached destination list for a moment; the workspace grain
        // pushes the switch down so that the destinations themselves refuse records while it is off.
        var key = Ids.ApiKey();
        var ws = Ids.Workspace();
        var workspace = _cluster.Client.GetGrain<IWorkspaceGrain>(ws);
        await workspace.SetBroadcast(true);
        var id = await workspace.AddDestination(new DestinationConfig { Name = "t", ApiKey = key, Endpoint = _postHog.Endpoint });
        var destination = _cluster.Client.GetGrain<IDestinationGrain>(DestinationIdentity.Key(ws, id!));
        Assert.Equal(1, (await destination.Enqueue([Record(ws, "while-on")], null)).Queued);

        await workspace.SetBroadcast(false);
        var refused = await destination.Enqueue([Record(ws, "while-off")], null);
        Assert.Equal(1, refused.Skipped);
        Assert.Equal(0, refused.Queued);
        Assert.False((await workspace.GetRoute()).BroadcastEnabled);

        await workspace.SetBroadcast(true);
        Assert.Equal(1, (await destination.Enqueue([Record(ws, "on-again")], null)).Queued);
        await Eventually.True(() => _postHog.EventsFor(key).Count >= 2, "both accepted events delivered");
        var ids = _postHog.EventsFor(key).Select(e => e["properties"]!["$ai_span_id"]!.GetValue<string>()).ToList();
        Assert.Equal(["while-on", "on-again"], ids);
    }

    [Fact]
    public async Task A_destination_added_while_broadcast_is_off_starts_off_and_follows_the_switch()
    {
        var ws = Ids.Workspace();
        var workspace = _cluster.Client.GetGrain<IWorkspaceGrain>(ws);
        await workspace.SetBroadcast(false);
        var id = await workspace.AddDestination(new DestinationConfig { Name = "t", ApiKey = Ids.ApiKey(), Endpoint = _postHog.Endpoint });
        var destination = _cluster.Client.GetGrain<IDestinationGrain>(DestinationIdentity.Key(ws, id!));
        var route = await workspace.GetRoute();
        Assert.False(route.BroadcastEnabled);
        Assert.Equal([id!], route.DestinationIds);
        Assert.Equal(1, (await destination.Enqueue([Record(ws, "early")], null)).Skipped);

        await workspace.SetBroadcast(true);
        Assert.Equal(1, (await destination.Enqueue([Record(ws, "late")], null)).Queued);
    }

    private static TraceRecord Record(string ws, string generation) => new()
    {
        WorkspaceId = ws,
        GenerationId = generation,
        Timestamp = DateTimeOffset.UtcNow,
        RequestModel = "m",
    };
}
