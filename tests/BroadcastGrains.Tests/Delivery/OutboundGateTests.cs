using BroadcastGrains.PostHog.Delivery;
using Microsoft.Extensions.Time.Testing;

namespace BroadcastGrains.Tests.Delivery;

/// <summary>
/// The lane decisions of the gate, on a fake clock: the sweep runs inside <see cref="FakeTimeProvider.Advance"/>,
/// so a move or a give-up has happened when Advance returns. Only a waiter's admission continues on another thread
/// (the semaphore completes waiters asynchronously) and is polled for.
/// </summary>
public sealed class OutboundGateTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SuspectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new();

    private OutboundGate Gate(int main, int slow, TimeSpan? sendTimeout = null) => new(new SendLaneOptions
    {
        MainLane = main,
        SlowLane = slow,
        HangThreshold = Threshold,
        SendTimeout = sendTimeout ?? SendTimeout,
        SuspectSendTimeout = SuspectTimeout,
    }, _clock);

    [Fact]
    public async Task An_answered_send_stays_in_the_main_lane_with_the_full_deadline_and_gives_its_slot_back()
    {
        using var gate = Gate(main: 2, slow: 2);
        var history = new SendHistory();
        var send = new PendingSend();
        var result = gate.SendAsync(history, send.Run, CancellationToken.None);
        Assert.True(send.Started);
        Assert.Equal(SendTimeout, send.Deadline);
        Assert.Equal((1, 0), (gate.MainInUse, gate.SlowInUse));

        send.Answer(200);
        Assert.Equal(200, (await result.WaitAsync(Safety)).Status);
        Assert.Equal((0, 0), (gate.MainInUse, gate.SlowInUse));
        Assert.False(history.LastSendHung);
    }

    [Fact]
    public async Task An_unanswered_send_moves_to_the_slow_lane_at_the_threshold_and_its_main_slot_goes_to_the_next_send()
    {
        using var gate = Gate(main: 1, slow: 2);
        var hanging = new PendingSend();
        var hangingHistory = new SendHistory();
        var hangingResult = gate.SendAsync(hangingHistory, hanging.Run, CancellationToken.None);
        var next = new PendingSend();
        var nextResult = gate.SendAsync(new SendHistory(), next.Run, CancellationToken.None);
        Assert.False(next.Started); // the main lane's one slot is taken

        _clock.Advance(Threshold - TimeSpan.FromMilliseconds(1));
        Assert.Equal((1, 0), (gate.MainInUse, gate.SlowInUse));
        Assert.False(next.Started);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await Until(() => next.Started, "the waiting send admitted to the main lane");
        Assert.Equal((1, 1), (gate.MainInUse, gate.SlowInUse));
        Assert.False(hanging.Token.IsCancellationRequested); // parked, not abandoned

        // A late answer still counts, and the endpoint is not held against the destination.
        hanging.Answer(200);
        Assert.Equal(200, (await hangingResult.WaitAsync(Safety)).Status);
        Assert.False(hangingHistory.LastSendHung);
        next.Answer(200);
        await nextResult.WaitAsync(Safety);
        Assert.Equal((0, 0), (gate.MainInUse, gate.SlowInUse));
    }

    [Fact]
    public async Task With_the_slow_lane_full_an_unanswered_send_is_cancelled_at_the_threshold_and_reported_as_timed_out()
    {
        using var gate = Gate(main: 1, slow: 1);
        var parked = new PendingSend();
        _ = gate.SendAsync(new SendHistory { LastSendHung = true }, parked.Run, CancellationToken.None);
        Assert.Equal((0, 1), (gate.MainInUse, gate.SlowInUse));

        var history = new SendHistory();
        var send = new PendingSend();
        var result = gate.SendAsync(history, send.Run, CancellationToken.None);
        _clock.Advance(Threshold);

        Assert.True(send.Token.IsCancellationRequested);
        var outcome = await result.WaitAsync(Safety);
        Assert.True(outcome.TimedOut);
        Assert.Null(outcome.Status);
        Assert.Contains("slow lane was full", outcome.Error);
        Assert.True(history.LastSendHung);
        Assert.Equal((0, 1), (gate.MainInUse, gate.SlowInUse));
    }

    [Fact]
    public async Task A_destination_whose_last_send_timed_out_sends_in_the_slow_lane_with_the_shorter_deadline_until_it_is_answered()
    {
        using var gate = Gate(main: 1, slow: 1);
        var history = new SendHistory();
        var timedOut = await gate.SendAsync(history, (_, _) => Task.FromResult(new SendOutcome(null, null, "timed out after 30 s", TimedOut: true)), CancellationToken.None);
        Assert.True(timedOut.TimedOut);
        Assert.True(history.LastSendHung);

        var suspect = new PendingSend();
        var result = gate.SendAsync(history, suspect.Run, CancellationToken.None);
        Assert.Equal((0, 1), (gate.MainInUse, gate.SlowInUse));
        Assert.Equal(SuspectTimeout, suspect.Deadline);
        _clock.Advance(SuspectTimeout - TimeSpan.FromMilliseconds(1)); // the slow lane has no hang threshold
        Assert.False(suspect.Token.IsCancellationRequested);

        suspect.Answer(503); // any answer clears the suspicion, even a failing one
        Assert.Equal(503, (await result.WaitAsync(Safety)).Status);
        Assert.False(history.LastSendHung);

        var again = new PendingSend();
        _ = gate.SendAsync(history, again.Run, CancellationToken.None);
        Assert.Equal((1, 0), (gate.MainInUse, gate.SlowInUse));
        Assert.Equal(SendTimeout, again.Deadline);
    }

    [Fact]
    public void A_suspects_deadline_is_never_longer_than_the_send_timeout()
    {
        using var gate = Gate(main: 1, slow: 1, sendTimeout: TimeSpan.FromSeconds(2));
        var send = new PendingSend();
        _ = gate.SendAsync(new SendHistory { LastSendHung = true }, send.Run, CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(2), send.Deadline);
    }

    [Fact]
    public async Task A_send_that_finds_its_lane_full_waits_at_most_its_deadline_and_is_then_reported_unsent()
    {
        using var gate = Gate(main: 1, slow: 1);
        var parked = new PendingSend();
        _ = gate.SendAsync(new SendHistory { LastSendHung = true }, parked.Run, CancellationToken.None);

        var history = new SendHistory { LastSendHung = true };
        var waiting = new PendingSend();
        var result = gate.SendAsync(history, waiting.Run, CancellationToken.None);
        _clock.Advance(SuspectTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(result.IsCompleted);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var outcome = await result.WaitAsync(Safety);
        Assert.False(waiting.Started);
        Assert.Null(outcome.Status);
        Assert.False(outcome.TimedOut);
        Assert.Contains("not sent", outcome.Error);
        Assert.True(history.LastSendHung); // nothing was learnt about the endpoint
        Assert.Equal((0, 1), (gate.MainInUse, gate.SlowInUse)); // and no slot was leaked to it

        parked.Answer(200);
        await Until(() => gate.SlowInUse == 0, "the parked send's slot given back");
    }

    [Fact]
    public async Task A_cancelled_caller_gets_a_cancelled_outcome_whether_waiting_or_sending_and_the_slots_come_back()
    {
        using var gate = Gate(main: 1, slow: 1);
        var history = new SendHistory();
        var sending = new PendingSend();
        using var sendingCaller = new CancellationTokenSource();
        var sendingResult = gate.SendAsync(history, sending.Run, sendingCaller.Token);
        var waiting = new PendingSend();
        using var waitingCaller = new CancellationTokenSource();
        var waitingResult = gate.SendAsync(new SendHistory(), waiting.Run, waitingCaller.Token);

        await waitingCaller.CancelAsync();
        var waited = await waitingResult.WaitAsync(Safety);
        Assert.False(waiting.Started);
        Assert.Contains("cancelled", waited.Error);

        await sendingCaller.CancelAsync();
        Assert.True(sending.Token.IsCancellationRequested); // the cancellation reaches the send itself
        var sent = await sendingResult.WaitAsync(Safety);
        Assert.Contains("cancelled", sent.Error);
        Assert.False(sent.TimedOut);
        Assert.False(history.LastSendHung);
        Assert.Equal((0, 0), (gate.MainInUse, gate.SlowInUse));
    }

    [Fact]
    public async Task Under_a_crowd_of_hanging_sends_the_lanes_never_exceed_their_bounds_and_every_slot_comes_back()
    {
        using var gate = Gate(main: 4, slow: 3);
        var sends = Enumerable.Range(0, 20).Select(_ => new PendingSend()).ToList();
        var results = sends.Select(s => gate.SendAsync(new SendHistory(), s.Run, CancellationToken.None)).ToList();
        for (var step = 0; step < 40; step++)
        {
            Assert.InRange(gate.MainInUse, 0, 4);
            Assert.InRange(gate.SlowInUse, 0, 3);
            _clock.Advance(Threshold / 4);
            // Freed main slots go to waiters on other threads: let every admitted send start before time moves on.
            await Until(() => sends.All(s => s.Started)
                || gate.MainInUse == 4 && sends.Count(s => s.Started && !s.Token.IsCancellationRequested) == 4 + gate.SlowInUse,
                "waiters admitted");
        }
        // 3 parked in the slow lane, the other 17 given up one threshold after they were admitted.
        await Until(() => results.Count(r => r.IsCompleted) == 17, "17 sends given up");
        Assert.Equal(17, results.Where(r => r.IsCompleted).Count(r => r.Result.TimedOut));
        Assert.Equal((0, 3), (gate.MainInUse, gate.SlowInUse));
        foreach (var s in sends) s.Answer(200);
        await Task.WhenAll(results).WaitAsync(Safety);
        Assert.Equal((0, 0), (gate.MainInUse, gate.SlowInUse));
    }

    [Fact]
    public void Unusable_bounds_are_refused_naming_their_keys()
    {
        var bad = new SendLaneOptions { MainLane = 0, SlowLane = 1, HangThreshold = TimeSpan.Zero };
        Assert.Equal(["Broadcast:Delivery:MaxConcurrentSends must be at least 1.", "Broadcast:Delivery:HangThreshold must be longer than zero."], bad.Problems());
        var ex = Assert.Throws<ArgumentException>(() => new OutboundGate(bad, _clock));
        Assert.Contains("Broadcast:Delivery:HangThreshold", ex.Message);
        Assert.Empty(new SendLaneOptions().Problems());
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Safety;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Timed out waiting for: {what}");
            await Task.Delay(5);
        }
    }

    /// <summary>A send that is answered when the test says so, and honours cancellation as HttpClient does.</summary>
    private sealed class PendingSend
    {
        private readonly TaskCompletionSource<SendOutcome> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Started { get; private set; }
        public TimeSpan Deadline { get; private set; }
        public CancellationToken Token { get; private set; }

        public Task<SendOutcome> Run(TimeSpan deadline, CancellationToken cancellationToken)
        {
            Deadline = deadline;
            Token = cancellationToken;
            cancellationToken.Register(() => _answer.TrySetCanceled(cancellationToken));
            Started = true;
            return _answer.Task;
        }

        public void Answer(int status) => _answer.TrySetResult(new SendOutcome(status, null, null));
    }
}
