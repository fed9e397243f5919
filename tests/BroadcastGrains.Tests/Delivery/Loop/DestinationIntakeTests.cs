using System.Text.Json;
using BroadcastGrains.Delivery;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Tests.Mapping;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Tests.Delivery.Loop;

/// <summary>The intake step: sampling, mapping, dead letters, the backlog cap and the memory budget, before any delivery.</summary>
public sealed class DestinationIntakeTests
{
    private static List<TraceRecord> Records(int count, string session = "session_abc") =>
        Enumerable.Range(1, count).Select(i => MappingFixtures.Seed() with { GenerationId = $"gen-{i}", SessionId = session }).ToList();

    [Fact]
    public async Task Accepted_records_are_mapped_stored_in_order_and_wait_for_the_linger()
    {
        var h = new DeliveryHarness();
        var result = await h.Intake.EnqueueAsync(Records(3), ticket: null);

        Assert.Equal(3, result.Queued);
        var stored = await h.Outbox.PeekAsync(DeliveryHarness.Key, 10, long.MaxValue);
        Assert.Equal(["gen-1", "gen-2", "gen-3"], stored.Select(e => e.GenerationId));
        Assert.Equal([1L, 2L, 3L], stored.Select(e => e.Seq));
        using var first = JsonDocument.Parse(stored[0].Payload);
        Assert.Equal("$ai_generation", first.RootElement.GetProperty("event").GetString());
        Assert.Equal((3L, 3L), (h.Loop.Pending, h.Intake.MaxSeq));
        Assert.Equal(h.Loop.Linger, h.Timer.Due);
        Assert.Equal(3, h.Backlog.TotalPending());
    }

    [Fact]
    public async Task Sampled_out_records_are_counted_and_never_stored()
    {
        var h = new DeliveryHarness();
        h.Destination.Config = DeliveryHarness.Config with { SamplingRate = 0 };
        var result = await h.Intake.EnqueueAsync(Records(4), ticket: null);

        Assert.Equal((0, 4), (result.Queued, result.SampledOut));
        Assert.Equal(4, h.State.SampledOut);
        Assert.True(h.Destination.CountersDirty);
        Assert.Equal(0, await h.PendingInOutboxAsync());
        Assert.Null(h.Timer.DueAt);
    }

    [Fact]
    public async Task Past_the_backlog_cap_records_are_dead_lettered_backlog_full_and_still_replayable()
    {
        var h = new DeliveryHarness(new DeliveryOptions { MaxBacklog = 2 });
        var result = await h.Intake.EnqueueAsync(Records(3), ticket: null);

        Assert.Equal((2, 1), (result.Queued, result.DeadLettered));
        var letter = Assert.Single(await h.DeadLettersAsync());
        Assert.Equal(("gen-3", DeadLetterReasons.BacklogFull), (letter.GenerationId, letter.Reason));
        Assert.Equal(new ReplayResult { Replayed = 1, Remaining = 0 }, await h.Outbox.RequeueDeadLettersAsync(DeliveryHarness.Key, 3, h.Clock.GetUtcNow(), 10));
    }

    [Fact]
    public async Task A_record_whose_event_cannot_fit_PostHog_is_dead_lettered_too_large_and_the_others_go_on()
    {
        var h = new DeliveryHarness();
        var records = Records(3);
        records[1] = records[1] with { TraceJson = MappingFixtures.Utf8("{\"blob\":\"" + new string('m', 1_000_000) + "\"}") };
        var result = await h.Intake.EnqueueAsync(records, ticket: null);

        Assert.Equal((2, 1), (result.Queued, result.DeadLettered));
        var letter = Assert.Single(await h.DeadLettersAsync());
        Assert.Equal(("gen-2", DeadLetterReasons.TooLarge), (letter.GenerationId, letter.Reason));
        Assert.Equal(["gen-1", "gen-3"], (await h.Outbox.PeekAsync(DeliveryHarness.Key, 10, long.MaxValue)).Select(e => e.GenerationId));
    }

    [Fact]
    public async Task Past_the_memory_budget_nothing_of_the_call_is_stored()
    {
        var h = new DeliveryHarness(memoryBudget: 100);
        await Assert.ThrowsAsync<IngestUnavailableException>(() => h.Intake.EnqueueAsync(Records(2), ticket: null));

        Assert.Equal(0, await h.PendingInOutboxAsync());
        Assert.Empty(await h.DeadLettersAsync());
        Assert.Equal(0, h.Loop.Pending);
        Assert.Null(h.Timer.DueAt);
    }

    [Fact]
    public async Task A_disabled_destination_or_a_workspace_with_broadcast_off_skips_the_records()
    {
        var h = new DeliveryHarness();
        h.Destination.Config = DeliveryHarness.Config with { Enabled = false };
        Assert.Equal(2, (await h.Intake.EnqueueAsync(Records(2), ticket: null)).Skipped);

        h.Destination.Config = DeliveryHarness.Config;
        h.State.BroadcastOff = true;
        Assert.Equal(2, (await h.Intake.EnqueueAsync(Records(2), ticket: null)).Skipped);
        Assert.Equal(0, await h.PendingInOutboxAsync());
    }
}
