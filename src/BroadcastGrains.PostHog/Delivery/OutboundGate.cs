namespace BroadcastGrains.PostHog.Delivery;

/// <summary>
/// The silo's bound on concurrent /batch/ requests, in two lanes, so that no tenant's send waits on another
/// tenant's endpoint (CONTRACT §8.2). One semaphore held for a whole request let 300 hanging endpoints hold every
/// slot for their full 30 s deadline while healthy tenants queued behind them.
/// <list type="bullet">
/// <item><b>Main lane</b> (<see cref="SendLaneOptions.MainLane"/>): every send starts here. A send that has not been
/// answered within <see cref="SendLaneOptions.HangThreshold"/> stops counting against it: it moves to the slow lane
/// and goes on waiting for its answer there, or, when the slow lane is full, it is cancelled and reported as
/// timed out (the destination backs off and retries, nothing is lost). So a main-lane slot is never held longer
/// than the threshold (plus one sweep period, a quarter of it) by an endpoint that does not answer.</item>
/// <item><b>Slow lane</b> (<see cref="SendLaneOptions.SlowLane"/>): sends moved there, and every send of a
/// destination whose last send got no answer in time (<see cref="SendHistory"/>), with the shorter
/// <see cref="SendLaneOptions.SuspectSendTimeout"/>, until one of its sends is answered again. Such destinations
/// never touch the main lane.</item>
/// <item><b>Waiting</b>: a send that finds its lane full waits in arrival order, at most one per destination (each
/// sends single-flight) and at most its deadline; then it is reported as failed ("no send slot") without having been
/// sent, and the destination backs off.</item>
/// </list>
/// There is deliberately no per-host cap: most tenants share one of two PostHog hosts, so a cap below the lane
/// would throttle healthy traffic to them, while 300 broken self-hosted PostHogs are 300 hosts. Hang detection
/// covers both without knowing hosts.
/// </summary>
public sealed class OutboundGate : IDisposable
{
    private readonly SendLaneOptions _options;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _main;
    private readonly SemaphoreSlim _slow;
    /// <summary>Main-lane sends not yet answered, oldest first; guarded by itself, as is every <see cref="InFlight.State"/>.</summary>
    private readonly List<InFlight> _watched = [];
    private readonly ITimer _sweep;

    public OutboundGate(SendLaneOptions options, TimeProvider clock)
    {
        if (string.Join(" ", options.Problems()) is { Length: > 0 } problems) throw new ArgumentException(problems, nameof(options));
        _options = options;
        _clock = clock;
        _main = new SemaphoreSlim(options.MainLane, options.MainLane);
        _slow = new SemaphoreSlim(options.SlowLane, options.SlowLane);
        // One sweep for the whole silo rather than a timer per send.
        // A zero period would make the timer fire only once.
        var period = TimeSpan.FromTicks(Math.Max(options.HangThreshold.Ticks / 4, TimeSpan.TicksPerMillisecond));
        _sweep = clock.CreateTimer(static s => ((OutboundGate)s!).Sweep(), this, period, period);
    }

    public int MainInUse => _options.MainLane - _main.CurrentCount;
    public int SlowInUse => _options.SlowLane - _slow.CurrentCount;

    /// <summary>
    /// Runs <paramref name="send"/> (given its deadline and a token the gate may cancel) in the lane the destination's
    /// <paramref name="history"/> calls for, and records in it whether the endpoint answered. Never throws for the
    /// send's sake: a cancellation by <paramref name="cancellationToken"/> (the destination deactivating or deleted)
    /// comes back as a failed outcome too.
    /// </summary>
    public async Task<SendOutcome> SendAsync(SendHistory history, Func<TimeSpan, CancellationToken, Task<SendOutcome>> send,
        CancellationToken cancellationToken)
    {
        var suspect = history.LastSendHung;
        var lane = suspect ? _slow : _main;
        var deadline = suspect && _options.SuspectSendTimeout < _options.SendTimeout ? _options.SuspectSendTimeout : _options.SendTimeout;
        if (!lane.Wait(0) && await WaitForSlotAsync(lane, suspect, deadline, cancellationToken) is { } refused) return refused;

        var flight = new InFlight(_clock.GetTimestamp(), CancellationTokenSource.CreateLinkedTokenSource(cancellationToken),
            suspect ? FlightState.Slow : FlightState.Watched);
        if (!suspect)
        {
            lock (_watched) _watched.Add(flight);
        }
        SendOutcome outcome;
        try
        {
            outcome = await send(deadline, flight.Cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (flight.Cancellation.IsCancellationRequested)
        {
            bool givenUp;
            lock (_watched) givenUp = flight.State == FlightState.GivenUp;
            outcome = givenUp
                ? new SendOutcome(null, null,
                    $"timed out: no answer within {_options.HangThreshold.TotalSeconds:0.#} s while the slow lane was full ({_options.SlowLane} sends to endpoints that are not answering)",
                    TimedOut: true)
                : new SendOutcome(null, null, "cancelled: the destination was deactivated or deleted");
        }
        finally
        {
            FlightState state;
            lock (_watched)
            {
                state = flight.State;
                if (state == FlightState.Watched) _watched.Remove(flight);
                flight.State = FlightState.Done;
            }
            if (state == FlightState.Watched) _main.Release();
            else if (state == FlightState.Slow) _slow.Release();
            // GivenUp: the sweep released the main slot when it gave up on the send.
            flight.Cancellation.Dispose();
        }
        // A cancellation by the caller says nothing about the endpoint.
        if (outcome.TimedOut) history.LastSendHung = true;
        else if (!cancellationToken.IsCancellationRequested) history.LastSendHung = false;
        return outcome;
    }

    /// <summary>Null once a slot is taken; otherwise the outcome that reports why none was.</summary>
    private async Task<SendOutcome?> WaitForSlotAsync(SemaphoreSlim lane, bool slow, TimeSpan budget, CancellationToken cancellationToken)
    {
        // CancelAfter would use the system clock; a source made with our TimeProvider can be tested.
        using var timeout = new CancellationTokenSource(budget, _clock);
        using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
        try
        {
            await lane.WaitAsync(timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException)
        {
            return cancellationToken.IsCancellationRequested
                ? new SendOutcome(null, null, "cancelled: the destination was deactivated or deleted")
                : new SendOutcome(null, null, slow
                    ? $"not sent: the slow lane for endpoints that stopped answering stayed full for {budget.TotalSeconds:0.#} s"
                    : $"not sent: every send slot of the silo stayed busy for {budget.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Moves main-lane sends older than the hang threshold to the slow lane, or gives up on them.</summary>
    private void Sweep()
    {
        var now = _clock.GetTimestamp();
        List<InFlight>? givenUp = null;
        lock (_watched)
        {
            var i = 0;
            // Oldest first: stop at the first one still within the threshold.
            for (; i < _watched.Count && _clock.GetElapsedTime(_watched[i].Started, now) >= _options.HangThreshold; i++)
            {
                var flight = _watched[i];
                if (_slow.Wait(0))
                {
                    flight.State = FlightState.Slow;
                }
                else
                {
                    flight.State = FlightState.GivenUp;
                    (givenUp ??= []).Add(flight);
                }
                _main.Release();
            }
            if (i > 0) _watched.RemoveRange(0, i);
        }
        if (givenUp is null) return;
        foreach (var flight in givenUp)
        {
            try
            {
                // Outside the lock: cancelling runs the HTTP stack's callbacks, which abort the connection.
                flight.Cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It was answered in the meantime.
            }
        }
    }

    public void Dispose() => _sweep.Dispose();

    private enum FlightState { Watched, Slow, GivenUp, Done }

    private sealed class InFlight(long started, CancellationTokenSource cancellation, FlightState state)
    {
        public readonly long Started = started;
        public readonly CancellationTokenSource Cancellation = cancellation;
        public FlightState State = state;
    }
}
