using BroadcastGrains.Delivery;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.PostHog.Connection;
using BroadcastGrains.PostHog.Delivery;

namespace BroadcastGrains.Tests.Delivery.Loop;

/// <summary>
/// The delivery loop of CONTRACT §7 on a fake clock and a fake timer: each test fires the timer itself, so every wait the
/// loop asks for is read off the timer, never slept.
/// </summary>
public sealed class DeliveryLoopTests
{

    private static SendOutcome Status(int status, TimeSpan? retryAfter = null) => new(status, retryAfter, null);

    [Fact]
    public async Task A_partial_batch_waits_out_its_jittered_linger_and_a_full_one_goes_at_once()
    {
        var h = new DeliveryHarness(new DeliveryOptions { MaxBatchEvents = 5 });
        Assert.Equal(TimeSpan.FromMilliseconds(900), h.Loop.Linger); // 0.5 of the 20 % spread cut from 1 s

        await h.AddAsync(3);
        Assert.Equal(h.Loop.Linger, h.Timer.Due);
        h.Clock.Advance(TimeSpan.FromMilliseconds(500));
        await h.AddAsync(1);
        Assert.Equal(TimeSpan.FromMilliseconds(400), h.Timer.Due); // the first event's linger, not a new one

        h.Random = 1; // the next draw: the full 20 % cut
        await h.FireAsync();
        Assert.Equal(["g1", "g2", "g3", "g4"], Assert.Single(h.Sender.Batches));
        Assert.Equal(0, h.Loop.Pending);
        Assert.Null(h.Timer.DueAt); // idle: nothing keeps the destination active
        Assert.Equal(1, h.Timer.Stops);
        Assert.Equal(TimeSpan.FromMilliseconds(800), h.Loop.Linger);

        await h.AddAsync(2);
        Assert.Equal(TimeSpan.FromMilliseconds(800), h.Timer.Due);
        await h.AddAsync(3);
        Assert.Equal(TimeSpan.Zero, h.Timer.Due); // a full batch does not wait
        await h.FireAsync();
        Assert.Equal(["g5", "g6", "g7", "g8", "g9"], h.Sender.Batches[1]);
        Assert.Equal(4 + 5, h.State.Delivered);
    }

    [Fact]
    public async Task A_timer_that_fires_early_for_a_partial_batch_waits_for_the_rest_of_its_linger()
    {
        var h = new DeliveryHarness();
        await h.AddAsync(1);
        h.Timer.DueAt = h.Clock.GetUtcNow() + TimeSpan.FromMilliseconds(300);
        await h.FireAsync();
        Assert.Empty(h.Sender.Batches);
        Assert.Equal(TimeSpan.FromMilliseconds(600), h.Timer.Due);
    }

    [Fact]
    public async Task Failures_back_off_exponentially_never_sooner_than_Retry_After_capped_at_an_hour_then_a_delivery_resets()
    {
        var h = new DeliveryHarness();
        var answers = new Queue<SendOutcome>([Status(503, TimeSpan.FromSeconds(30)), Status(500), Status(429, TimeSpan.FromHours(2)), Status(200)]);
        h.Sender.Answer = _ => answers.Dequeue();
        await h.AddAsync(2);

        await h.FireAsync();
        Assert.Equal(TimeSpan.FromSeconds(30), h.Timer.Due); // Retry-After beats the 0.5 s drawn from the first 1 s ceiling
        Assert.Equal(1, h.Loop.ConsecutiveFailures);
        Assert.Equal(DeliveryStates.Retrying, h.Loop.StateName());
        Assert.Equal("PostHog answered HTTP 503", h.State.LastError);
        Assert.Equal(h.Clock.GetUtcNow() + TimeSpan.FromSeconds(30), h.Loop.NextAttemptAt);

        await h.AddAsync(1); // new events wait for the backoff's turn
        Assert.Equal(TimeSpan.FromSeconds(30), h.Timer.Due);

        await h.FireAsync();
        Assert.Equal(TimeSpan.FromSeconds(1), h.Timer.Due); // half of 1 s · 2¹
        await h.FireAsync();
        Assert.Equal(TimeSpan.FromHours(1), h.Timer.Due); // Retry-After counts up to an hour (CONTRACT §8.2)
        Assert.Equal(3, h.Loop.ConsecutiveFailures);

        await h.FireAsync();
        Assert.Equal(4, h.Sender.Batches.Count);
        Assert.Equal(["g1", "g2"], h.Sender.Batches[0]);
        Assert.All(h.Sender.Batches.Skip(1), b => Assert.Equal(["g1", "g2", "g3"], b));
        Assert.Equal((0, 0L, (DateTimeOffset?)null, (string?)null), (h.Loop.ConsecutiveFailures, h.Loop.Pending, h.Loop.NextAttemptAt, h.State.LastError));
        Assert.Equal(DeliveryStates.Healthy, h.Loop.StateName());
        Assert.Equal(h.Clock.GetUtcNow(), h.State.LastSuccessAt);
        Assert.Equal(0, await h.PendingInOutboxAsync());
    }

    [Fact]
    public async Task Events_expire_at_MaxEventAge_and_no_Retry_After_parks_them_past_it()
    {
        var h = new DeliveryHarness(new DeliveryOptions { MaxEventAge = TimeSpan.FromMinutes(1), BackoffBase = TimeSpan.FromMinutes(1) });
        var answers = new Queue<SendOutcome>([Status(503, TimeSpan.FromMinutes(10)), Status(503)]);
        h.Sender.Answer = _ => answers.Dequeue();
        await h.AddAsync(2);

        await h.FireAsync(); // at 0.9 s
        Assert.Equal(TimeSpan.FromSeconds(59.1), h.Timer.Due); // the events' life left, not the ten minutes asked for
        await h.FireAsync(); // at 60 s: not yet older than a minute
        Assert.Equal(2, h.Sender.Batches.Count);
        Assert.Equal(TimeSpan.FromMinutes(1), h.Timer.Due); // half of 1 min · 2¹

        await h.FireAsync();
        Assert.Equal(2, h.Sender.Batches.Count); // expired events are never sent again
        var letters = await h.DeadLettersAsync();
        Assert.Equal(["g1", "g2"], letters.Select(l => l.GenerationId).Order());
        Assert.All(letters, l => Assert.Equal(DeadLetterReasons.Expired, l.Reason));
        Assert.Equal(0, h.Loop.Pending);
        Assert.Null(h.Timer.DueAt);
    }

    [Fact]
    public async Task A_rejected_key_pauses_the_destination_until_Test_Connection_passes_again()
    {
        var h = new DeliveryHarness();
        h.Sender.Answer = _ => Status(401);
        await h.AddAsync(2);

        await h.FireAsync();
        Assert.True(h.State.Paused);
        Assert.Equal(DeliveryStates.Paused, h.Loop.StateName());
        Assert.Equal("PostHog answered HTTP 401: the project API key was rejected", h.State.LastError);
        Assert.Equal(1, h.Writes); // a pause is saved at once: a new activation must not hammer the key
        Assert.Equal(TimeSpan.FromMinutes(1), h.Timer.Due);
        Assert.Equal(2, h.Loop.Pending);

        await h.AddAsync(1);
        Assert.Equal(TimeSpan.FromMinutes(1), h.Timer.Due);

        h.Sender.KeyTest = ConnectionTestResult.Failed("PostHog rejected the project API key (wrong key or wrong region)");
        await h.FireAsync();
        Assert.Equal(1, h.Sender.KeyTests);
        Assert.Single(h.Sender.Batches); // still paused: nothing sent
        Assert.Equal("PostHog rejected the project API key (wrong key or wrong region)", h.State.LastError);
        Assert.Equal(TimeSpan.FromMinutes(1), h.Timer.Due);

        h.Sender.KeyTest = ConnectionTestResult.Passed;
        h.Sender.Answer = _ => Status(200);
        await h.FireAsync();
        Assert.False(h.State.Paused);
        Assert.Equal(["g1", "g2", "g3"], h.Sender.Batches[^1]);
        Assert.Equal(0, h.Loop.Pending);
    }

    [Fact]
    public async Task A_batch_refused_with_400_or_413_is_halved_until_the_single_bad_events_are_dead_lettered()
    {
        var h = new DeliveryHarness();
        h.Sender.Answer = batch => batch.Contains("g2") ? Status(400) : batch.Contains("g4") ? Status(413) : Status(200);
        await h.AddAsync(4);

        await h.FireAsync();
        Assert.Equal(["g1,g2,g3,g4", "g1,g2", "g1", "g2", "g3,g4", "g3", "g4"], h.Sender.Batches.Select(b => string.Join(",", b)));
        var letters = (await h.DeadLettersAsync()).OrderBy(l => l.GenerationId).ToList();
        Assert.Equal(("g2", DeadLetterReasons.Rejected, (int?)400, 1), (letters[0].GenerationId, letters[0].Reason, letters[0].Status, letters[0].Attempts));
        Assert.Equal(("g4", DeadLetterReasons.TooLarge, (int?)413, 1), (letters[1].GenerationId, letters[1].Reason, letters[1].Status, letters[1].Attempts));
        Assert.Equal(2, letters.Count);
        Assert.Equal(2, h.State.Delivered);
        Assert.Equal(0, h.Loop.Pending);
        Assert.Equal(0, await h.PendingInOutboxAsync());
    }

    [Fact]
    public async Task Counters_are_saved_at_most_once_per_flush_interval()
    {
        var h = new DeliveryHarness(new DeliveryOptions { CounterFlushInterval = TimeSpan.FromSeconds(30) });
        await h.AddAsync(1);
        await h.FireAsync();
        Assert.Equal((1L, 0, true), (h.State.Delivered, h.Writes, h.Destination.CountersDirty));

        h.Clock.Advance(TimeSpan.FromSeconds(30));
        await h.AddAsync(1);
        await h.FireAsync();
        Assert.Equal((2L, 1, false), (h.State.Delivered, h.Writes, h.Destination.CountersDirty));
    }
}
