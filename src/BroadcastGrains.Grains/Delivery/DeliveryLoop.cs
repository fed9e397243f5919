using BroadcastGrains.Delivery;
using BroadcastGrains.Grains.Destinations;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace BroadcastGrains.Grains.Delivery;

/// <summary>
/// One destination's delivery (CONTRACT §7): a partial batch of fresh events waits out the linger, the oldest events go
/// out in batches (<see cref="BatchDelivery"/> splits and books them), failures back off, a rejected key pauses the
/// destination until Test Connection passes again, and events older than <see cref="DeliveryOptions.MaxEventAge"/> are
/// dead-lettered <c>expired</c>. Single flight: a run is a <see cref="Task"/>, and a timer that fires while one is
/// in flight does nothing; the deactivation awaits it (<see cref="StopAsync"/>). Every send is cancelled when the
/// timer is stopped or the deactivation's deadline passes, and a cancelled run books nothing.
/// </summary>
public sealed class DeliveryLoop
{
    private readonly DestinationContext _destination;
    private readonly IDestinationOutbox _outbox;
    private readonly IDeliveryTimer _timer;
    private readonly BacklogRegistry _backlog;
    private readonly DeliveryOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private readonly BatchDelivery _batches;
    /// <summary>Cancelled when the deactivation's deadline passes or the activation closes.</summary>
    private readonly CancellationTokenSource _stopping = new();
    private Task _flight = Task.CompletedTask;
    private DateTimeOffset? _scheduledAt;

    public DeliveryLoop(DestinationContext destination, IDestinationOutbox outbox, IBatchSender sender, IDeliveryTimer timer,
        BacklogRegistry backlog, DeliveryOptions options, TimeProvider clock, ILogger logger, Func<double>? random = null)
    {
        _destination = destination;
        _outbox = outbox;
        _timer = timer;
        _backlog = backlog;
        _options = options;
        _clock = clock;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
        _batches = new BatchDelivery(this, destination, outbox, sender, options, clock, logger);
        Linger = NextLinger();
    }

    public long Pending { get; internal set; }
    public DateTimeOffset? OldestAcceptedAt { get; private set; }
    public int ConsecutiveFailures { get; internal set; }
    public DateTimeOffset? NextAttemptAt { get; internal set; }

    /// <summary>How long the current partial batch waits for company; drawn again after every delivered batch.</summary>
    public TimeSpan Linger { get; private set; }

    /// <summary>A run is in flight.</summary>
    public bool Sending => !_flight.IsCompleted;

    private bool Stopped => _stopping.IsCancellationRequested;

    /// <summary>Takes what the outbox holds when the destination activates; call <see cref="Start"/> once the config is known.</summary>
    public void Load(OutboxSummary summary) => (Pending, OldestAcceptedAt) = (summary.Pending, summary.OldestAcceptedAt);

    public void Start()
    {
        if (_destination.Config is not null && (Pending > 0 || _destination.State.Paused)) Schedule(TimeSpan.Zero);
        ReportBacklog();
    }

    /// <summary>Intake stored <paramref name="count"/> new events, accepted at <paramref name="now"/>.</summary>
    public void Accepted(int count, DateTimeOffset now)
    {
        if (count > 0 && Pending == 0) OldestAcceptedAt = now;
        Pending += count;
        if (count > 0) ScheduleAfterEnqueue();
        ReportBacklog();
    }

    /// <summary>Dead letters were replayed into the outbox: its new summary.</summary>
    public void Requeued(OutboxSummary summary)
    {
        Load(summary);
        ReportBacklog();
        ScheduleAfterEnqueue();
    }

    /// <summary>A delivery, or a saved config change (CONTRACT §7; then <see cref="Restart"/> once saved), ends the backoff.</summary>
    public void ClearFailures()
    {
        ConsecutiveFailures = 0;
        NextAttemptAt = null;
    }

    public void Restart()
    {
        if (_destination.Config is { Enabled: true } && Pending > 0) Schedule(TimeSpan.Zero);
        ReportBacklog();
    }

    /// <summary>The destination was deleted and its events discarded.</summary>
    public void Discarded()
    {
        _backlog.Forget(_destination.Key);
        Pending = 0;
        _timer.Stop();
        _scheduledAt = null;
    }

    public void Wake()
    {
        // Activation already scheduled delivery for stored events; an active grain just needs a running loop.
        if (_destination.Config is { Enabled: true } && Pending > 0 && _scheduledAt is null && !Sending) Schedule(TimeSpan.Zero);
    }

    /// <summary>The timer fired: starts a run unless one is in flight. <paramref name="cancellationToken"/> is the timer's.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        if (Sending) return Task.CompletedTask;
        _flight = TickAsync(cancellationToken);
        return SaveCountersAfterAsync(_flight);
    }

    /// <summary>
    /// Outside the flight: an intake that interleaves with the write must find the loop not sending, or it would leave
    /// its events unscheduled. A failed write surfaces on the timer; the counters stay dirty for the next one.
    /// </summary>
    private async Task SaveCountersAfterAsync(Task flight)
    {
        await flight;
        if (!Stopped) await _destination.SaveCountersIfDueAsync();
    }

    /// <summary>
    /// The deactivation: waits for the run in flight, so that what it delivered is booked and not sent twice, until
    /// <paramref name="deadline"/>, which then cancels its send. Memory storage loses its events with the process, so
    /// there the rest of the grace period is spent sending what can be sent (no linger, no backoff).
    /// </summary>
    public async Task StopAsync(CancellationToken deadline)
    {
        using var stop = deadline.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _stopping);
        await _flight.WaitAsync(deadline).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
        // Never beside a run still in flight (the wait ran out): both would send the same events.
        if (_outbox.IsDurable || Sending || Pending <= 0 || _destination.Config is not { Enabled: true }) return;
        _flight = _batches.FlushAsync(_stopping.Token);
        await _flight.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// The activation ends: a run that outlived the deactivation is cancelled and books nothing when it returns (a new
    /// activation may be reading and sending the same events by then, and booking recycles their blocks).
    /// </summary>
    public void Close()
    {
        _stopping.Cancel();
        _backlog.Forget(_destination.Key);
    }

    public string StateName() =>
        _destination.Config is not { } config ? DeliveryStates.Disabled
        : !config.Enabled ? DeliveryStates.Disabled
        : _destination.State.Paused ? DeliveryStates.Paused
        : ConsecutiveFailures > 0 ? DeliveryStates.Retrying
        : DeliveryStates.Healthy;

    public void ReportBacklog()
    {
        // A run that outlived the deactivation must not put back the line the deactivation removed.
        if (Stopped) return;
        if (_destination.Config is null) _backlog.Forget(_destination.Key);
        else _backlog.Report(_destination.Key, Pending, Pending > 0 ? OldestAcceptedAt : null, StateName());
    }

    private async Task TickAsync(CancellationToken timerToken)
    {
        _scheduledAt = null;
        using var scope = _logger.BeginScope(_destination.LogScope);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(timerToken, _stopping.Token);
        try
        {
            await DeliverAsync(cancellation.Token);
        }
        catch (Exception ex) when (!cancellation.IsCancellationRequested)
        {
            DeliveryLog.LoopFailed(_logger, ex, _destination.Key);
            ConsecutiveFailures++;
            ScheduleRetry(null, ex.Message);
        }
        catch (Exception)
        {
            // Stopped or deleted meanwhile (whatever failed then is about that): whoever stopped it decides what comes next.
        }
        finally
        {
            ReportBacklog();
        }
    }

    private async Task DeliverAsync(CancellationToken cancellationToken)
    {
        if (_destination.Config is not { } config) return;
        if (!config.Enabled)
        {
            Idle();
            return;
        }
        var state = _destination.State;
        if (state.Paused)
        {
            var test = await _batches.TestKeyAsync(config, cancellationToken);
            if (cancellationToken.IsCancellationRequested) return;
            if (!test.Ok)
            {
                state.LastError = test.Detail;
                NextAttemptAt = _clock.GetUtcNow() + _options.PauseRecheck;
                Schedule(_options.PauseRecheck);
                return;
            }
            state.Paused = false;
            _destination.MarkDirty();
            DeliveryLog.Resumed(_logger, _destination.Key);
        }

        while (Pending > 0 && !cancellationToken.IsCancellationRequested && ReferenceEquals(_destination.Config, config))
        {
            var batch = await _batches.PeekAsync();
            if (batch.Count == 0)
            {
                Pending = 0;
                break;
            }
            batch = await _batches.ExpireOldAsync(batch);
            if (batch.Count == 0) continue;
            OldestAcceptedAt = batch[0].AcceptedAt;

            // A partial batch of fresh events waits out the linger: many tiny requests cost PostHog and us more.
            var age = _clock.GetUtcNow() - batch[0].AcceptedAt;
            if (batch.Count < _options.MaxBatchEvents && age < Linger)
            {
                Schedule(Linger - age);
                return;
            }

            if (await _batches.SendAsync(config, batch, cancellationToken)) return;
        }
        if (cancellationToken.IsCancellationRequested) return;
        if (Pending <= 0) Idle();
        else Schedule(TimeSpan.Zero); // the config changed under the loop: start again with the new one
    }

    /// <summary>A batch was delivered: the next linger is drawn anew, so that destinations that filled together do not stay in step.</summary>
    internal void Delivered() => Linger = NextLinger();

    internal void ScheduleRetry(TimeSpan? retryAfter, string error)
    {
        var lifeLeft = OldestAcceptedAt is { } oldest ? oldest + _options.MaxEventAge - _clock.GetUtcNow() : _options.MaxEventAge;
        var delay = Backoff.Next(ConsecutiveFailures, _options.BackoffBase, _options.BackoffCap, retryAfter, _random(),
            _options.MaxRetryAfter, lifeLeft);
        _destination.State.LastError = error;
        _destination.MarkDirty();
        NextAttemptAt = _clock.GetUtcNow() + delay;
        DeliveryLog.Retrying(_logger, _destination.Key, error, delay);
        Schedule(delay);
    }

    internal void Schedule(TimeSpan due)
    {
        _scheduledAt = _clock.GetUtcNow() + due;
        _timer.Schedule(due);
    }

    private void ScheduleAfterEnqueue()
    {
        // While backing off or paused the schedule belongs to the delivery loop; new events just wait their turn.
        if (Sending || _destination.State.Paused || ConsecutiveFailures > 0) return;
        var due = Pending >= _options.MaxBatchEvents ? TimeSpan.Zero : Linger;
        if (_scheduledAt is { } at && at <= _clock.GetUtcNow() + due) return;
        Schedule(due);
    }

    private void Idle()
    {
        _scheduledAt = null;
        NextAttemptAt = null;
        // Without a timer nothing keeps the activation alive, so an idle destination costs no memory.
        _timer.Stop();
    }

    private TimeSpan NextLinger() => LingerJitter.Next(_options.Linger, _random());
}
