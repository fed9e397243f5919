using BroadcastGrains.Delivery;
using BroadcastGrains.Destinations;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.KeyRing;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.PostHog;
using BroadcastGrains.PostHog.Connection;
using BroadcastGrains.PostHog.Delivery;
using BroadcastGrains.PostHog.Mapping;
using BroadcastGrains.Traces;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace BroadcastGrains.Grains.Destinations;

/// <summary>
/// One tenant's PostHog destination: config, outbox and delivery loop. Enqueue and the delivery timer
/// interleave, so a slow PostHog never holds up acceptance; the send path is single-flight and removes
/// exactly the events it sent.
/// </summary>
[RandomPlacement]
public sealed partial class DestinationGrain(
    [PersistentState("destination", BroadcastStorage.Name)] IPersistentState<DestinationState> state,
    IOutboxStore outbox,
    PostHogClient postHog,
    OutboundGate gate,
    BacklogRegistry backlog,
    PayloadPool payloadPool,
    ApiKeyProtector keys,
    IOptions<DeliveryOptions> deliveryOptions,
    TimeProvider clock,
    ILogger<DestinationGrain> logger) : Grain, IDestinationGrain
{
    private static readonly string LibVersion =
        typeof(PostHogClient).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private readonly DeliveryOptions _options = deliveryOptions.Value;
    private readonly SemaphoreSlim _stateWrite = new(1, 1);
    private string _key = "";
    private string _workspaceId = "";
    private string _destinationId = "";
    private EventMappingOptions? _mapping;
    private long _pending;
    private long _maxSeq;
    private int _consecutiveFailures;
    private DateTimeOffset? _nextAttemptAt;
    private bool _sending;
    private bool _countersDirty;
    private DateTimeOffset _countersSavedAt;
    private IGrainTimer? _timer;
    private DateTimeOffset? _scheduledAt;
    private DateTimeOffset? _oldestAcceptedAt;
    private Dictionary<string, object> _logScope = new();
    private PayloadArena? _payloads;
    private TimeSpan _linger;
    private bool _closed;
    private DestinationConfig? _config;
    private readonly SendHistory _sendHistory = new();

    /// <summary>
    /// The config with its key in the clear, kept only in this activation. The stored copy
    /// (<c>state.State.Config</c>) always carries the encrypted key, and nothing reads the key from there.
    /// </summary>
    private DestinationConfig? Config => _config;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = this.GetPrimaryKeyString();
        (_workspaceId, _destinationId) = DestinationIdentity.Split(_key);
        _logScope = new() { ["WorkspaceId"] = _workspaceId, ["DestinationId"] = _destinationId };
        var summary = await outbox.OpenAsync(_key);
        _pending = summary.Pending;
        _maxSeq = summary.MaxSeq;
        _oldestAcceptedAt = summary.OldestAcceptedAt;
        // Destinations activated together (a silo start, a burst of new tenants) would otherwise all save their
        // counters in the same instant every interval: start each at a random point of the interval.
        _countersSavedAt = clock.GetUtcNow() - _options.CounterFlushInterval * Random.Shared.NextDouble();
        _linger = NextLinger();
        await RevealConfigAsync();
        RefreshMapping();
        if (Config is not null && (_pending > 0 || state.State.Paused)) Schedule(TimeSpan.Zero);
        ReportBacklog();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(_logScope);
        try
        {
            // A send in flight finishes first, so that what it delivered is booked and not sent twice.
            while (_sending && !cancellationToken.IsCancellationRequested) await Task.Delay(10, CancellationToken.None);
            // Not beside a send still in flight (the wait above timed out): two loops would send the same events.
            if (!outbox.IsDurable && !_sending && _pending > 0 && Config is { Enabled: true }) await FlushBeforeShutdownAsync(cancellationToken);
            // Memory storage is itself a set of grains that are going away with the silo: nothing to save into.
            var storageGone = !outbox.IsDurable && reason.ReasonCode == DeactivationReasonCode.ShuttingDown;
            if (_countersDirty && Config is not null && !storageGone) await SaveStateAsync();
        }
        finally
        {
            // A send that outlived the deactivation timeout must not book anything when it returns: a new
            // activation may be reading (and sending) the same events by then, and booking recycles their blocks.
            _closed = true;
            backlog.Forget(_key);
            _payloads?.Close();
            await outbox.CloseAsync(_key);
        }
    }

    /// <summary>
    /// Memory mode only: the events die with the process, so shutdown spends its grace period sending what it
    /// can (no linger, no backoff) and says how many it could not.
    /// </summary>
    private async Task FlushBeforeShutdownAsync(CancellationToken deadline)
    {
        _sending = true;
        try
        {
            while (_pending > 0 && !deadline.IsCancellationRequested && Config is { } config && !state.State.Paused)
            {
                var batch = await PeekBatchAsync();
                if (batch.Count == 0) break;
                if (await SendSplittingAsync(config, batch, deadline)) break;
            }
        }
        catch (Exception ex)
        {
            LogLoopFailed(ex, _key);
        }
        finally
        {
            _sending = false;
        }
        if (_pending > 0) LogLostAtShutdown(_key, _pending);
    }

    /// <summary>
    /// Decrypts the stored key for this activation; a key stored before encryption existed is written back
    /// encrypted now. A key the ring can no longer decrypt pauses the destination until the user enters it again.
    /// </summary>
    private async Task RevealConfigAsync()
    {
        if (state.State.Config is not { } stored)
        {
            _config = null;
            return;
        }
        try
        {
            var (apiKey, wasPlain) = keys.Reveal(stored.ApiKey);
            _config = stored with { ApiKey = apiKey };
            if (!wasPlain) return;
            state.State.Config = stored with { ApiKey = keys.Protect(apiKey) };
            try
            {
                await SaveStateAsync();
                using (logger.BeginScope(_logScope)) LogKeyEncrypted(_key);
            }
            catch (Exception ex)
            {
                // Sending does not depend on it: the next activation tries again.
                using (logger.BeginScope(_logScope)) LogKeyEncryptFailed(ex, _key);
            }
        }
        catch (CryptographicException ex)
        {
            _config = stored with { ApiKey = "" };
            state.State.Paused = true;
            state.State.LastError = "The stored API key can no longer be decrypted (the key ring lost its key): enter the key again";
            using (logger.BeginScope(_logScope)) LogKeyUnreadable(ex, _key);
        }
    }

    private DestinationConfig Sealed(DestinationConfig config) => config with { ApiKey = keys.Protect(config.ApiKey) };

    public async Task<bool> Create(DestinationConfig config, bool broadcastEnabled)
    {
        if (Config is not null) return false;
        var now = clock.GetUtcNow();
        _config = config;
        state.State = new DestinationState { Config = Sealed(config), Version = 1, CreatedAt = now, UpdatedAt = now, BroadcastOff = !broadcastEnabled };
        await SaveStateAsync();
        RefreshMapping();
        return true;
    }

    public async Task<DestinationView?> GetView()
    {
        var s = state.State;
        if (Config is not { } config) return null;
        var summary = await outbox.SummarizeAsync(_key);
        var now = clock.GetUtcNow();
        return new DestinationView
        {
            Id = _destinationId,
            Name = config.Name,
            Enabled = config.Enabled,
            PrivacyMode = config.PrivacyMode,
            SamplingRate = config.SamplingRate,
            MaskedApiKey = ApiKeyRules.Mask(config.ApiKey),
            Endpoint = config.Endpoint,
            CreatedAt = s.CreatedAt,
            UpdatedAt = s.UpdatedAt,
            Delivery = new DeliveryStatus
            {
                State = StateName(),
                Pending = summary.Pending,
                OldestPendingAgeSeconds = summary.OldestAcceptedAt is { } oldest
                    ? Math.Round(Math.Max(0, (now - oldest).TotalSeconds), 3)
                    : null,
                Delivered = s.Delivered,
                DeadLettered = summary.DeadLettered,
                DeadLettersDropped = summary.DeadLettersDropped,
                SampledOut = s.SampledOut,
                ConsecutiveFailures = _consecutiveFailures,
                LastSuccessAt = s.LastSuccessAt,
                LastError = s.LastError,
                NextAttemptAt = _nextAttemptAt,
            },
        };
    }

    private string StateName() =>
        Config is not { } config ? DeliveryStates.Disabled
        : !config.Enabled ? DeliveryStates.Disabled
        : state.State.Paused ? DeliveryStates.Paused
        : _consecutiveFailures > 0 ? DeliveryStates.Retrying
        : DeliveryStates.Healthy;

    private void ReportBacklog()
    {
        // A send that outlived the deactivation must not put back the line the deactivation removed.
        if (_closed) return;
        if (Config is null) backlog.Forget(_key);
        else backlog.Report(_key, _pending, _pending > 0 ? _oldestAcceptedAt : null, StateName());
    }

    public Task<DestinationSnapshot?> GetSnapshot() =>
        Task.FromResult(Config is { } config ? new DestinationSnapshot { Config = config, Version = state.State.Version } : null);

    public async Task<bool> Update(DestinationUpdate update)
    {
        if (Config is null || update.ExpectedVersion != state.State.Version) return false;
        _config = update.Config;
        state.State.Config = Sealed(update.Config);
        state.State.Version++;
        state.State.UpdatedAt = clock.GetUtcNow();
        // Any saved change ends a pause and the backoff (CONTRACT §7): a user who just fixed something expects
        // delivery to resume now; if nothing was fixed, the next attempt simply fails and backs off again.
        state.State.Paused = false;
        state.State.LastError = null;
        _consecutiveFailures = 0;
        _nextAttemptAt = null;
        await SaveStateAsync();
        RefreshMapping();
        if (update.Config.Enabled && _pending > 0) Schedule(TimeSpan.Zero);
        ReportBacklog();
        return true;
    }

    public async Task SetBroadcast(bool enabled)
    {
        if (Config is null || state.State.BroadcastOff == !enabled) return;
        state.State.BroadcastOff = !enabled;
        await SaveStateAsync();
    }

    public async Task<bool> Delete()
    {
        if (Config is null) return false;
        var discarded = await outbox.DiscardAllAsync(_key);
        LogDeleted(_key, discarded);
        BroadcastTelemetry.EventsDiscarded.Add(discarded);
        backlog.Forget(_key);
        _pending = 0;
        _timer?.Dispose();
        _timer = null;
        _scheduledAt = null;
        await _stateWrite.WaitAsync();
        try
        {
            await state.ClearStateAsync();
            state.State = new DestinationState();
            _config = null;
        }
        finally
        {
            _stateWrite.Release();
        }
        _mapping = null;
        DeactivateOnIdle();
        return true;
    }

    public async Task<EnqueueResult> Enqueue(IReadOnlyList<TraceRecord> records, JournalTicket? ticket)
    {
        if (Config is not { Enabled: true } config || _mapping is null || state.State.BroadcastOff)
            return new EnqueueResult { Skipped = records.Count };

        // No log scope here: this is the per-record hot path and it logs only on a bug (below), so the AsyncLocal
        // switch of a scope would be paid on every call for nothing.
        using var activity = BroadcastTelemetry.Source.StartActivity("destination.enqueue");
        activity?.SetTag("broadcast.workspace_id", _workspaceId);
        activity?.SetTag("broadcast.destination_id", _destinationId);
        activity?.SetTag("broadcast.records", records.Count);
        var now = clock.GetUtcNow();
        var accepted = new List<OutboxEvent>(records.Count);
        List<DeadLetterEntry>? dead = null;
        var sampledOut = 0;
        // Indexed, not foreach: enumerating through the interface boxes an enumerator per call.
        for (var r = 0; r < records.Count; r++)
        {
            var record = records[r];
            if (!SessionSampler.Keep(_destinationId, record.SessionId, record.GenerationId, config.SamplingRate))
            {
                sampledOut++;
                continue;
            }
            var seq = ++_maxSeq;
            bool mapped;
            ReadOnlySpan<byte> json;
            try
            {
                mapped = PostHogEventMapper.TryMap(record, _mapping, out json, out _);
            }
            catch (Exception ex)
            {
                // The front end validated the record, so whatever the mapper throws is a bug of ours (or a record
                // accepted by an older parser, replayed from the journal): keep the evidence as a dead letter and go
                // on with the other records, never fail the whole call over one of them.
                using (logger.BeginScope(_logScope)) LogUnmappable(ex, _key, record.GenerationId);
                (dead ??= new()).Add(new DeadLetterEntry(
                    new OutboxEvent(seq, record.GenerationId, now, Array.Empty<byte>()), DeadLetterReasons.Rejected, null, now));
                continue;
            }
            if (!mapped)
            {
                (dead ??= new()).Add(new DeadLetterEntry(
                    new OutboxEvent(seq, record.GenerationId, now, Array.Empty<byte>()), DeadLetterReasons.TooLarge, null, now));
                continue;
            }
            if (_pending + accepted.Count >= _options.MaxBacklog)
                (dead ??= new()).Add(new DeadLetterEntry(new OutboxEvent(seq, record.GenerationId, now, json.ToArray()), DeadLetterReasons.BacklogFull, null, now));
            else
                accepted.Add((_payloads ??= new PayloadArena(payloadPool)).Create(seq, record.GenerationId, now, json));
        }

        // A destination that is backing off or paused will not send soon: its events go straight to rows.
        var held = accepted.Count > 0 && ticket is not null && _consecutiveFailures == 0 && !state.State.Paused
            && outbox.TryHold(_key, accepted, ticket);
        // Memory storage refuses this past the silo's memory budget (IngestUnavailableException, answered 503):
        // nothing of the call is stored then (its dead letters neither), and the client's retry brings it again.
        if (accepted.Count > 0 && !held) await outbox.AppendAsync(_key, accepted);
        if (dead is not null)
        {
            await outbox.DeadLetterAsync(_key, dead);
            foreach (var d in dead) BroadcastTelemetry.EventsDeadLettered.Add(1, BroadcastTelemetry.Reason(d.Reason));
        }
        if (accepted.Count > 0 && _pending == 0) _oldestAcceptedAt = now;
        _pending += accepted.Count;
        BroadcastTelemetry.EventsQueued.Add(accepted.Count);
        if (sampledOut > 0)
        {
            state.State.SampledOut += sampledOut;
            _countersDirty = true;
            BroadcastTelemetry.EventsSampledOut.Add(sampledOut);
        }
        if (accepted.Count > 0) ScheduleAfterEnqueue();
        ReportBacklog();
        return new EnqueueResult { Queued = accepted.Count, SampledOut = sampledOut, DeadLettered = dead?.Count ?? 0 };
    }

    public Task<IReadOnlyList<DeadLetter>> GetDeadLetters(int limit) =>
        Config is null ? Task.FromResult<IReadOnlyList<DeadLetter>>([]) : outbox.ListDeadLettersAsync(_key, limit);

    public async Task<ReplayResult> ReplayDeadLetters()
    {
        if (Config is null) return default;
        // Never past the backlog cap: a replay of 10 000 letters into a nearly full backlog would push new
        // events into backlog_full. The caller replays the rest once delivery made room.
        var room = (int)Math.Clamp(_options.MaxBacklog - _pending, 0, int.MaxValue);
        var result = await outbox.RequeueDeadLettersAsync(_key, _maxSeq, clock.GetUtcNow(), room);
        if (result.Replayed == 0) return result;
        var summary = await outbox.SummarizeAsync(_key);
        _pending = summary.Pending;
        _maxSeq = summary.MaxSeq;
        _oldestAcceptedAt = summary.OldestAcceptedAt;
        ReportBacklog();
        ScheduleAfterEnqueue();
        return result;
    }

    public Task Wake()
    {
        // Activation already scheduled delivery for stored events; an active grain just needs a running loop.
        if (Config is { Enabled: true } && _pending > 0 && _scheduledAt is null && !_sending) Schedule(TimeSpan.Zero);
        return Task.CompletedTask;
    }

    /// <summary>The oldest pending events that fit one /batch/ request, envelope included.</summary>
    private Task<IReadOnlyList<OutboxEvent>> PeekBatchAsync() =>
        outbox.PeekAsync(_key, _options.MaxBatchEvents, _options.MaxBatchBytes - BatchPayload.EnvelopeAllowance);

    private void RefreshMapping() =>
        _mapping = Config is { } c ? new EventMappingOptions(_workspaceId, _destinationId, c.PrivacyMode, LibVersion) : null;

    /// <summary>Drawn again after every send, so that destinations that filled together do not stay in step.</summary>
    private TimeSpan NextLinger() => LingerJitter.Next(_options.Linger, Random.Shared.NextDouble());

    private void ScheduleAfterEnqueue()
    {
        // While backing off or paused the schedule belongs to the delivery loop; new events just wait their turn.
        if (_sending || state.State.Paused || _consecutiveFailures > 0) return;
        var due = _pending >= _options.MaxBatchEvents ? TimeSpan.Zero : _linger;
        if (_scheduledAt is { } at && at <= clock.GetUtcNow() + due) return;
        Schedule(due);
    }

    private void Schedule(TimeSpan due)
    {
        _scheduledAt = clock.GetUtcNow() + due;
        if (_timer is null)
        {
            _timer = this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions
            {
                DueTime = due,
                Period = Timeout.InfiniteTimeSpan,
                Interleave = true,
                KeepAlive = true,
            });
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void Idle()
    {
        _scheduledAt = null;
        _nextAttemptAt = null;
        // Without a timer nothing keeps the activation alive, so an idle destination costs no memory.
        _timer?.Dispose();
        _timer = null;
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        if (_sending) return;
        _sending = true;
        _scheduledAt = null;
        using var scope = logger.BeginScope(_logScope);
        try
        {
            await DeliverAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            LogLoopFailed(ex, _key);
            _consecutiveFailures++;
            ScheduleRetry(null, ex.Message);
        }
        finally
        {
            _sending = false;
            ReportBacklog();
        }
        if (_countersDirty && !_closed && clock.GetUtcNow() - _countersSavedAt >= _options.CounterFlushInterval)
            await SaveStateAsync();
    }

    private async Task DeliverAsync(CancellationToken cancellationToken)
    {
        if (Config is not { } config) return;
        if (!config.Enabled)
        {
            Idle();
            return;
        }
        if (state.State.Paused)
        {
            var test = await postHog.TestConnectionAsync(config.ApiKey, config.Endpoint, CancellationToken.None);
            if (!test.Ok)
            {
                state.State.LastError = test.Detail;
                _nextAttemptAt = clock.GetUtcNow() + _options.PauseRecheck;
                Schedule(_options.PauseRecheck);
                return;
            }
            state.State.Paused = false;
            _countersDirty = true;
            LogResumed(_key);
        }

        while (_pending > 0 && !_closed && ReferenceEquals(Config, config))
        {
            var batch = await PeekBatchAsync();
            if (batch.Count == 0)
            {
                _pending = 0;
                break;
            }
            batch = await ExpireOldAsync(batch);
            if (batch.Count == 0) continue;
            _oldestAcceptedAt = batch[0].AcceptedAt;

            // A partial batch of fresh events waits out the linger: many tiny requests cost PostHog and us more.
            var age = clock.GetUtcNow() - batch[0].AcceptedAt;
            if (batch.Count < _options.MaxBatchEvents && age < _linger)
            {
                Schedule(_linger - age);
                return;
            }

            var stop = await SendSplittingAsync(config, batch, cancellationToken);
            if (stop) return;
        }
        if (_pending <= 0) Idle();
        else Schedule(TimeSpan.Zero); // the config changed under the loop: start again with the new one
    }

    private async Task<IReadOnlyList<OutboxEvent>> ExpireOldAsync(IReadOnlyList<OutboxEvent> batch)
    {
        var cutoff = clock.GetUtcNow() - _options.MaxEventAge;
        if (batch.All(e => e.AcceptedAt >= cutoff)) return batch;
        var now = clock.GetUtcNow();
        var expired = batch.Where(e => e.AcceptedAt < cutoff)
            .Select(e => new DeadLetterEntry(e, DeadLetterReasons.Expired, null, now)).ToList();
        await outbox.DeadLetterAsync(_key, expired);
        _pending -= expired.Count;
        BroadcastTelemetry.EventsDeadLettered.Add(expired.Count, BroadcastTelemetry.Reason(DeadLetterReasons.Expired));
        return batch.Where(e => e.AcceptedAt >= cutoff).ToList();
    }

    /// <summary>Sends a batch, halving it on 400/413 to isolate bad events. Returns true when the loop must stop.</summary>
    private async Task<bool> SendSplittingAsync(DestinationConfig config, IReadOnlyList<OutboxEvent> batch, CancellationToken cancellationToken)
    {
        // Segments are processed front to back so that delivery order survives the splitting.
        var work = new Stack<ArraySegment<OutboxEvent>>();
        work.Push(new ArraySegment<OutboxEvent>(batch as OutboxEvent[] ?? batch.ToArray()));
        while (work.TryPop(out var segment))
        {
            // Events mapped before the destination went private still hold text: it never leaves in privacy mode.
            var payload = BatchPayload.BuildGzip(config.ApiKey, clock.GetUtcNow(),
                segment.Select(e => config.PrivacyMode ? PrivateContent.Strip(e.Payload) : e.Payload).ToList());
            using var activity = BroadcastTelemetry.Source.StartActivity("posthog.send", ActivityKind.Client);
            activity?.SetTag("broadcast.workspace_id", _workspaceId);
            activity?.SetTag("broadcast.destination_id", _destinationId);
            activity?.SetTag("broadcast.events", segment.Count);
            var started = Stopwatch.GetTimestamp();
            // The gate picks the lane and the deadline. The token ends the send when the destination is deleted (its
            // timer goes), when a deactivation stops waiting for the tick, or when shutdown's grace period ends.
            var outcome = await gate.SendAsync(_sendHistory, (deadline, ct) => postHog.SendBatchAsync(config.Endpoint, payload, deadline, ct), cancellationToken);
            var verdict = SendClassifier.Classify(outcome);
            activity?.SetTag("http.response.status_code", outcome.Status);
            BroadcastTelemetry.SendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, BroadcastTelemetry.Outcome(verdict switch
            {
                SendVerdict.Delivered => "delivered",
                SendVerdict.Pause => "paused",
                SendVerdict.Retry => "retry",
                _ => "split",
            }));
            if (Config is null) return true; // deleted while in flight: its events are already discarded
            if (_closed) return true; // deactivated meanwhile: the next activation sends them again, same uuids
            // What PostHog accepted is booked even if the config changed meanwhile; anything else restarts with the new config.
            if (verdict != SendVerdict.Delivered && !ReferenceEquals(Config, config)) return false;
            var now = clock.GetUtcNow();
            switch (verdict)
            {
                case SendVerdict.Delivered:
                    BroadcastTelemetry.EventsDelivered.Add(segment.Count);
                    _linger = NextLinger();
                    await outbox.RemoveAsync(_key, segment.Select(e => e.Seq).ToList());
                    _pending -= segment.Count;
                    state.State.Delivered += segment.Count;
                    state.State.LastSuccessAt = now;
                    state.State.LastError = null;
                    _consecutiveFailures = 0;
                    _nextAttemptAt = null;
                    _countersDirty = true;
                    break;
                case SendVerdict.SplitTooLarge or SendVerdict.SplitRejected when segment.Count > 1:
                    var half = segment.Count / 2;
                    work.Push(segment[half..]);
                    work.Push(segment[..half]);
                    break;
                case SendVerdict.SplitTooLarge or SendVerdict.SplitRejected:
                    var reason = outcome.Status == 413 ? DeadLetterReasons.TooLarge : DeadLetterReasons.Rejected;
                    var e = segment[0];
                    await outbox.DeadLetterAsync(_key, [new DeadLetterEntry(e with { Attempts = e.Attempts + 1 }, reason, outcome.Status, now)]);
                    _pending--;
                    BroadcastTelemetry.EventsDeadLettered.Add(1, BroadcastTelemetry.Reason(reason));
                    LogDeadLettered(_key, e.GenerationId, reason, outcome.Status);
                    break;
                case SendVerdict.Pause:
                    state.State.Paused = true;
                    // Paused may last days: events held in memory become rows (Enqueue stores new ones as rows now).
                    await outbox.MarkAttemptAsync(_key, segment.Select(e => e.Seq).ToList());
                    state.State.LastError = $"PostHog answered HTTP {outcome.Status}: the project API key was rejected";
                    _countersDirty = true;
                    _nextAttemptAt = now + _options.PauseRecheck;
                    LogPaused(_key, outcome.Status);
                    await SaveStateAsync();
                    Schedule(_options.PauseRecheck);
                    return true;
                default:
                    BroadcastTelemetry.EventsRetried.Add(segment.Count);
                    // Counted first, so that an Enqueue interleaving with the write below already stores rows.
                    _consecutiveFailures++;
                    await outbox.MarkAttemptAsync(_key, segment.Select(e => e.Seq).ToList());
                    ScheduleRetry(outcome.RetryAfter, outcome.Error ?? $"PostHog answered HTTP {outcome.Status}");
                    return true;
            }
        }
        return false;
    }

    private void ScheduleRetry(TimeSpan? retryAfter, string error)
    {
        var lifeLeft = _oldestAcceptedAt is { } oldest ? oldest + _options.MaxEventAge - clock.GetUtcNow() : _options.MaxEventAge;
        var delay = Backoff.Next(_consecutiveFailures, _options.BackoffBase, _options.BackoffCap, retryAfter, Random.Shared.NextDouble(),
            _options.MaxRetryAfter, lifeLeft);
        state.State.LastError = error;
        _countersDirty = true;
        _nextAttemptAt = clock.GetUtcNow() + delay;
        LogRetrying(_key, error, delay);
        Schedule(delay);
    }

    /// <summary>Enqueue and the interleaved timer may both want to save: one write at a time keeps the ETag valid.</summary>
    private async Task SaveStateAsync()
    {
        await _stateWrite.WaitAsync();
        try
        {
            _countersDirty = false;
            _countersSavedAt = clock.GetUtcNow();
            await state.WriteStateAsync();
        }
        catch
        {
            _countersDirty = true;
            throw;
        }
        finally
        {
            _stateWrite.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Destination {Destination}: its API key, stored before keys were encrypted, is stored encrypted now")]
    private partial void LogKeyEncrypted(string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination}: storing its API key encrypted failed; the next activation tries again")]
    private partial void LogKeyEncryptFailed(Exception ex, string destination);

    [LoggerMessage(Level = LogLevel.Error, Message = "Destination {Destination}: its stored API key cannot be decrypted with the key ring; paused until the key is entered again")]
    private partial void LogKeyUnreadable(Exception ex, string destination);

    [LoggerMessage(Level = LogLevel.Information, Message = "Destination {Destination} deleted; {Discarded} pending events discarded")]
    private partial void LogDeleted(string destination, long discarded);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination}: send failed ({Error}); retrying in {Delay}")]
    private partial void LogRetrying(string destination, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination} paused: PostHog answered {Status} for its key")]
    private partial void LogPaused(string destination, int? status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Destination {Destination} resumed: its key passes Test Connection again")]
    private partial void LogResumed(string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination}: event {GenerationId} dead-lettered ({Reason}, HTTP {Status})")]
    private partial void LogDeadLettered(string destination, string generationId, string reason, int? status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Destination {Destination}: record {GenerationId} could not be mapped; dead-lettered")]
    private partial void LogUnmappable(Exception ex, string destination, string generationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination}: {Pending} events could not be sent before shutdown and are lost (Memory storage)")]
    private partial void LogLostAtShutdown(string destination, long pending);

    [LoggerMessage(Level = LogLevel.Error, Message = "Destination {Destination}: delivery loop failed")]
    private partial void LogLoopFailed(Exception ex, string destination);
}
