using BroadcastGrains.Destinations;
using BroadcastGrains.Grains;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.IntegrationTests.Support;
using BroadcastGrains.PostHog;
using BroadcastGrains.PostHog.Delivery;
using BroadcastGrains.PostHog.Network;
using BroadcastGrains.Traces;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;
using BroadcastGrains.Grains.KeyRing;
using Microsoft.AspNetCore.DataProtection;

namespace BroadcastGrains.IntegrationTests.Grains;

/// <summary>
/// Memory storage with a small silo budget: destinations whose PostHog stopped answering fill it, then Enqueue
/// is refused with the exception ingest answers with 503 (intact across the cluster call), and delivery frees it.
/// </summary>
public sealed class MemoryBudgetClusterTests : IAsyncLifetime
{
    /// <summary>Room for a few dozen mapped minimal records (a few hundred bytes each).</summary>
    private const long Budget = 16 * 1024;

    private readonly MemoryBudget _budget = new(Budget);
    private InProcessTestCluster _cluster = null!;
    private FakePostHog _postHog = null!;

    public async Task InitializeAsync()
    {
        _postHog = await FakePostHog.StartAsync();
        _cluster = await DestinationTestCluster.StartAsync(_budget);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _postHog.DisposeAsync();
    }

    [Fact]
    public async Task A_spent_budget_refuses_enqueue_with_a_retryable_exception_and_delivery_frees_it()
    {
        // Every send hangs until released: like a PostHog that went away, nothing leaves memory meanwhile.
        var release = new TaskCompletionSource();
        _postHog.BatchFault = _ => new FakeAnswer(200, Hold: release.Task);
        var ws = Ids.Workspace();
        var keys = new List<string>();
        var destinations = new List<IDestinationGrain>();
        for (var d = 0; d < 3; d++)
        {
            var key = Ids.ApiKey();
            keys.Add(key);
            var destination = _cluster.Client.GetGrain<IDestinationGrain>(DestinationIdentity.Key(ws, $"dst_budget{d}"));
            Assert.True(await destination.Create(new DestinationConfig { Name = "t", ApiKey = key, Endpoint = _postHog.Endpoint }, broadcastEnabled: true));
            destinations.Add(destination);
        }

        // Fill the silo's budget through several destinations until one call is refused.
        var queued = new int[3];
        IngestUnavailableException? refused = null;
        for (var i = 0; i < 1000 && refused is null; i++)
        {
            var d = i % 3;
            try
            {
                queued[d] += (await destinations[d].Enqueue([Record(ws, $"r{d}-{i:D4}")], null)).Queued;
            }
            catch (IngestUnavailableException ex)
            {
                refused = ex;
            }
        }

        Assert.NotNull(refused);
        Assert.Equal("memory_budget", refused.Reason);
        Assert.Equal((int)MemoryBudget.RetryAfter.TotalSeconds, refused.RetryAfterSeconds);
        Assert.Contains("Broadcast:Memory:MaxBufferedBytes", refused.Message);
        Assert.InRange(_budget.Used, 1, Budget);
        // The refused record counts nowhere: pending is exactly what was accepted.
        for (var d = 0; d < 3; d++) Assert.Equal(queued[d], (await destinations[d].GetView())!.Delivery.Pending);

        // PostHog answers again: every accepted event is delivered and the budget is free again.
        release.SetResult();
        await Eventually.True(() => Enumerable.Range(0, 3).All(d => _postHog.EventsFor(keys[d]).Count >= queued[d]), "accepted events delivered");
        await Eventually.True(() => _budget.Used == 0, "budget freed by delivery");
        Assert.Equal(1, (await destinations[0].Enqueue([Record(ws, "after")], null)).Queued);
        await Eventually.True(() => _postHog.EventsFor(keys[0]).Count == queued[0] + 1, "new event delivered");
    }

    private static TraceRecord Record(string ws, string generation) => new()
    {
        WorkspaceId = ws,
        GenerationId = generation,
        Timestamp = DateTimeOffset.UtcNow,
        RequestModel = "m",
    };
}
