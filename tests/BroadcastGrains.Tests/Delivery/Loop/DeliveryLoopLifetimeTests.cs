using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.PostHog.Delivery;

namespace BroadcastGrains.Tests.Delivery.Loop;

/// <summary>
/// The loop's single flight and its end: a run is a task the deactivation awaits, a timer firing during it does nothing,
/// the deactivation's deadline and a stopped timer cancel the send in flight, a cancelled run books nothing, and a
/// config change mid-send books what PostHog accepted and starts again under the new config.
/// </summary>
public sealed class DeliveryLoopLifetimeTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    private static SendOutcome Status(int status) => new(status, null, null);

    [Fact]
    public async Task A_timer_firing_while_a_send_is_in_flight_starts_no_second_run()
    {
        var h = new DeliveryHarness();
        var run = await SendHeldAsync(h, 1);
        Assert.True(h.Loop.Sending);

        Assert.True(h.Loop.RunAsync(h.Timer.Token).IsCompleted);
        Assert.Single(h.Sender.Batches);

        h.Sender.Release(Status(200));
        await run.WaitAsync(Safety);
        Assert.False(h.Loop.Sending);
        Assert.Equal(0, h.Loop.Pending);
    }

    [Fact]
    public async Task Stopping_waits_for_the_send_in_flight_and_books_it_so_nothing_is_sent_twice()
    {
        var h = new DeliveryHarness();
        var run = await SendHeldAsync(h, 2);

        var stop = h.Loop.StopAsync(CancellationToken.None);
        Assert.False(stop.IsCompleted);
        h.Sender.Release(Status(200));
        await stop.WaitAsync(Safety);

        await run.WaitAsync(Safety);
        Assert.Single(h.Sender.Batches); // the shutdown flush found nothing left to send
        Assert.Equal((0L, 2L), (h.Loop.Pending, h.State.Delivered));
        Assert.Equal(0, await h.PendingInOutboxAsync());
    }

    [Fact]
    public async Task The_deactivation_deadline_cancels_the_send_in_flight_which_then_books_nothing()
    {
        var h = new DeliveryHarness();
        var run = await SendHeldAsync(h, 2);
        using var deadline = new CancellationTokenSource();

        var stop = h.Loop.StopAsync(deadline.Token);
        deadline.Cancel();
        await stop.WaitAsync(Safety);
        h.Loop.Close();
        await run.WaitAsync(Safety);

        Assert.True(h.Sender.LastToken.IsCancellationRequested);
        Assert.Single(h.Sender.Batches);
        // Not booked as delivered nor as a failure: the next activation sends the events again, under the same uuids.
        Assert.Equal((2L, 0L, 0), (h.Loop.Pending, h.State.Delivered, h.Loop.ConsecutiveFailures));
        Assert.Equal(2, await h.PendingInOutboxAsync());
        Assert.Equal(0, h.Backlog.TotalPending()); // and its backlog line stays gone
    }

    [Fact]
    public async Task Stopping_the_timer_cancels_the_send_in_flight_without_a_retry()
    {
        var h = new DeliveryHarness();
        var run = await SendHeldAsync(h, 1);

        h.Loop.Discarded(); // a DELETE
        await run.WaitAsync(Safety);

        Assert.True(h.Sender.LastToken.IsCancellationRequested);
        Assert.Null(h.Timer.DueAt);
        Assert.Equal(0, h.Loop.ConsecutiveFailures);
    }

    [Fact]
    public async Task Memory_storage_spends_the_shutdown_sending_what_is_left_without_linger_or_backoff()
    {
        var h = new DeliveryHarness(new DeliveryOptions { MaxBatchEvents = 2 });
        await h.AddAsync(1);
        Assert.Equal(h.Loop.Linger, h.Timer.Due);

        await h.Loop.StopAsync(CancellationToken.None).WaitAsync(Safety);
        Assert.Equal(["g1"], Assert.Single(h.Sender.Batches)); // at once, not after the linger
        Assert.Equal(0, h.Loop.Pending);

        var failing = new DeliveryHarness(new DeliveryOptions { MaxBatchEvents = 2 });
        failing.Sender.Answer = _ => Status(503);
        await failing.AddAsync(3);
        await failing.Loop.StopAsync(CancellationToken.None).WaitAsync(Safety);
        Assert.Single(failing.Sender.Batches); // no backoff to wait out: the first failure ends the flush
        Assert.Equal(3, failing.Loop.Pending);
    }

    [Fact]
    public async Task A_config_change_mid_send_books_what_PostHog_accepted_and_sends_the_rest_under_the_new_config()
    {
        var h = new DeliveryHarness(new DeliveryOptions { MaxBatchEvents = 2 });
        var run = await SendHeldAsync(h, 4);

        ChangeKey(h, "phc_new");
        h.Sender.Release(Status(200));
        await run.WaitAsync(Safety);
        Assert.Equal(2, h.State.Delivered);
        Assert.Equal(TimeSpan.Zero, h.Timer.Due);

        await h.FireAsync();
        Assert.Equal(["g1,g2", "g3,g4"], h.Sender.Batches.Select(b => string.Join(",", b)));
        Assert.Equal(["phc_old", "phc_new"], h.Sender.ApiKeys);
        Assert.Equal(0, h.Loop.Pending);
    }

    [Fact]
    public async Task A_failure_under_the_old_config_is_not_booked_and_the_new_config_is_tried_at_once()
    {
        var h = new DeliveryHarness();
        var run = await SendHeldAsync(h, 1);

        ChangeKey(h, "phc_new");
        h.Sender.Release(Status(401));
        await run.WaitAsync(Safety);
        Assert.False(h.State.Paused);
        Assert.Equal(0, h.Loop.ConsecutiveFailures);
        Assert.Equal(TimeSpan.Zero, h.Timer.Due);

        await h.FireAsync();
        Assert.Equal(["phc_old", "phc_new"], h.Sender.ApiKeys);
        Assert.Equal(0, h.Loop.Pending);
    }

    /// <summary>Stores events and fires the timer: the run's send waits for <see cref="FakeBatchSender.Release"/>.</summary>
    private static async Task<Task> SendHeldAsync(DeliveryHarness h, int events)
    {
        h.Sender.Hold = new TaskCompletionSource<SendOutcome>();
        await h.AddAsync(events);
        return h.FireAsync();
    }

    /// <summary>What the grain's Update does: the new config, the backoff ended, and a restart once saved.</summary>
    private static void ChangeKey(DeliveryHarness h, string apiKey)
    {
        h.Destination.Config = DeliveryHarness.Config with { ApiKey = apiKey };
        h.Destination.RefreshMapping();
        h.Loop.ClearFailures();
        h.Loop.Restart();
    }
}
