using BroadcastGrains.Grains.Placement;
using BroadcastGrains.Delivery;
using BroadcastGrains.Destinations;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.KeyRing;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.PostHog;
using BroadcastGrains.PostHog.Connection;
using BroadcastGrains.PostHog.Delivery;
using BroadcastGrains.Traces;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace BroadcastGrains.Grains.Destinations;

/// <summary>
/// One tenant's PostHog destination: its config (the key encrypted at rest) and the lifetime of its
/// <see cref="DestinationIntake"/> and <see cref="DeliveryLoop"/>, which do the work. The loop runs on an
/// interleaving timer, so a slow PostHog never holds up acceptance.
/// </summary>
[WorkspaceOwnerPlacement]
public sealed partial class DestinationGrain(
    [PersistentState("destination", BroadcastStorage.Name)] IPersistentState<DestinationState> state,
    IOutboxStore outboxStore,
    PostHogClient postHog,
    OutboundGate gate,
    BacklogRegistry backlog,
    PayloadPool payloadPool,
    ApiKeyProtector keys,
    IOptions<DeliveryOptions> deliveryOptions,
    TimeProvider clock,
    WorkspaceOwners owners,
    ILogger<DestinationGrain> logger) : Grain, IDestinationGrain
{
    private readonly DeliveryOptions _options = deliveryOptions.Value;
    private WorkspaceOwners.View? _ownerView;
    private bool _misplaced;
    private DestinationContext _destination = null!;
    /// <summary>This activation's own outbox (in Postgres mode with its in-memory window), closed on deactivation.</summary>
    private IDestinationOutbox _outbox = null!;
    private DeliveryLoop _loop = null!;
    private DestinationIntake _intake = null!;

    private string Key => _destination.Key;
    private DestinationConfig? Config => _destination.Config;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _destination = new DestinationContext(this.GetPrimaryKeyString(), () => state.State, () => state.WriteStateAsync(), clock,
            _options.CounterFlushInterval, Random.Shared.NextDouble());
        var (opened, summary) = await outboxStore.OpenAsync(Key);
        _outbox = opened;
        var timer = new GrainDeliveryTimer(this, ct => _loop.RunAsync(ct));
        _loop = new DeliveryLoop(_destination, _outbox, new GatedBatchSender(postHog, gate), timer, backlog, _options, clock, logger);
        _intake = new DestinationIntake(_destination, _loop, _outbox, payloadPool, _options, clock, logger);
        _loop.Load(summary);
        _intake.MaxSeq = summary.MaxSeq;
        await RevealConfigAsync();
        _destination.RefreshMapping();
        _loop.Start();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(_destination.LogScope);
        try
        {
            // Orleans disposes the timer before this, which cancels a send in flight: its run ends without booking it, and
            // the next activation (with Memory storage: the stop's own flush) sends those events again under the same uuids.
            await _loop.StopAsync(cancellationToken);
            // Memory storage is itself a set of grains that are going away with the silo: nothing to save into.
            var storageGone = !_outbox.IsDurable && reason.ReasonCode == DeactivationReasonCode.ShuttingDown;
            if (_destination.CountersDirty && Config is not null && !storageGone) await _destination.SaveAsync();
        }
        finally
        {
            _loop.Close();
            _intake.Close();
            await _outbox.CloseAsync();
        }
    }

    /// <summary>
    /// Decrypts the stored key for this activation; a key stored before encryption existed is written back
    /// encrypted now. A key the ring can no longer decrypt pauses the destination until the user enters it again.
    /// </summary>
    private async Task RevealConfigAsync()
    {
        if (state.State.Config is not { } stored)
        {
            _destination.Config = null;
            return;
        }
        try
        {
            var (apiKey, wasPlain) = keys.Reveal(stored.ApiKey);
            _destination.Config = stored with { ApiKey = apiKey };
            if (!wasPlain) return;
            state.State.Config = stored with { ApiKey = keys.Protect(apiKey) };
            try
            {
                await _destination.SaveAsync();
                using (logger.BeginScope(_destination.LogScope)) LogKeyEncrypted(Key);
            }
            catch (Exception ex)
            {
                // Sending does not depend on it: the next activation tries again.
                using (logger.BeginScope(_destination.LogScope)) LogKeyEncryptFailed(ex, Key);
            }
        }
        catch (CryptographicException ex)
        {
            _destination.Config = stored with { ApiKey = "" };
            state.State.Paused = true;
            state.State.LastError = "The stored API key can no longer be decrypted (the key ring lost its key): enter the key again";
            using (logger.BeginScope(_destination.LogScope)) LogKeyUnreadable(ex, Key);
        }
    }

    private DestinationConfig Sealed(DestinationConfig config) => config with { ApiKey = keys.Protect(config.ApiKey) };

    public async Task<bool> Create(DestinationConfig config, bool broadcastEnabled)
    {
        if (Config is not null) return false;
        var now = clock.GetUtcNow();
        _destination.Config = config;
        state.State = new DestinationState { Config = Sealed(config), Version = 1, CreatedAt = now, UpdatedAt = now, BroadcastOff = !broadcastEnabled };
        await _destination.SaveAsync();
        _destination.RefreshMapping();
        return true;
    }

    public async Task<DestinationView?> GetView()
    {
        var s = state.State;
        if (Config is not { } config) return null;
        var summary = await _outbox.SummarizeAsync();
        var now = clock.GetUtcNow();
        return new DestinationView
        {
            Id = _destination.DestinationId,
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
                State = _loop.StateName(),
                Pending = summary.Pending,
                OldestPendingAgeSeconds = summary.OldestAcceptedAt is { } oldest
                    ? Math.Round(Math.Max(0, (now - oldest).TotalSeconds), 3)
                    : null,
                Delivered = s.Delivered,
                DeadLettered = summary.DeadLettered,
                DeadLettersDropped = summary.DeadLettersDropped,
                SampledOut = s.SampledOut,
                ConsecutiveFailures = _loop.ConsecutiveFailures,
                LastSuccessAt = s.LastSuccessAt,
                LastError = s.LastError,
                NextAttemptAt = _loop.NextAttemptAt,
            },
        };
    }

    public Task<DestinationSnapshot?> GetSnapshot() =>
        Task.FromResult(Config is { } config ? new DestinationSnapshot { Config = config, Version = state.State.Version } : null);

    public async Task<bool> Update(DestinationUpdate update)
    {
        if (Config is null || update.ExpectedVersion != state.State.Version) return false;
        _destination.Config = update.Config;
        state.State.Config = Sealed(update.Config);
        state.State.Version++;
        state.State.UpdatedAt = clock.GetUtcNow();
        // Any saved change ends a pause and the backoff (CONTRACT §7): a user who just fixed something expects
        // delivery to resume now; if nothing was fixed, the next attempt simply fails and backs off again.
        state.State.Paused = false;
        state.State.LastError = null;
        _loop.ClearFailures();
        await _destination.SaveAsync();
        _destination.RefreshMapping();
        _loop.Restart();
        return true;
    }

    public async Task SetBroadcast(bool enabled)
    {
        if (Config is null || state.State.BroadcastOff == !enabled) return;
        state.State.BroadcastOff = !enabled;
        await _destination.SaveAsync();
    }

    public async Task<bool> Delete()
    {
        if (Config is null) return false;
        var discarded = await _outbox.DiscardAllAsync();
        LogDeleted(Key, discarded);
        BroadcastTelemetry.EventsDiscarded.Add(discarded);
        _loop.Discarded();
        await _destination.ClearAsync(async () =>
        {
            await state.ClearStateAsync();
            state.State = new DestinationState();
        });
        DeactivateOnIdle();
        return true;
    }

    public Task<EnqueueResult> Enqueue(IReadOnlyList<TraceRecord> records, JournalTicket? ticket)
    {
        if (IsMisplaced())
        {
            // Placed before a membership change moved its workspace to another silo: serve this call, then make room
            // for an activation on the owner, where ingest sends the workspace's records (issue 18).
            BroadcastTelemetry.MisplacedEnqueues.Add(1);
            this.DeactivateOnIdle();
        }
        return _intake.EnqueueAsync(records, ticket);
    }

    /// <summary>Checked once per membership version: a hash of the workspace id and one mix per silo.</summary>
    private bool IsMisplaced()
    {
        var view = owners.Current();
        if (!ReferenceEquals(view, _ownerView))
        {
            _ownerView = view;
            // Not in the view at all (joining, or leaving): nothing to converge towards from here.
            _misplaced = view.Local >= 0 && view.OwnerIndex(DestinationIdentity.Split(Key).WorkspaceId) != view.Local;
        }
        return _misplaced;
    }

    public Task<IReadOnlyList<DeadLetter>> GetDeadLetters(int limit) =>
        Config is null ? Task.FromResult<IReadOnlyList<DeadLetter>>([]) : _outbox.ListDeadLettersAsync(limit);

    public async Task<ReplayResult> ReplayDeadLetters()
    {
        if (Config is null) return default;
        // Never past the backlog cap (CONTRACT §8.2): a replay of 10 000 letters into a nearly full backlog would push
        // new events into backlog_full. The caller replays the rest once delivery made room.
        var room = (int)Math.Clamp(_options.MaxBacklog - _loop.Pending, 0, int.MaxValue);
        var result = await _outbox.RequeueDeadLettersAsync(_intake.MaxSeq, clock.GetUtcNow(), room);
        if (result.Replayed == 0) return result;
        var summary = await _outbox.SummarizeAsync();
        _intake.MaxSeq = summary.MaxSeq;
        _loop.Requeued(summary);
        return result;
    }

    public Task Wake()
    {
        _loop.Wake();
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Destination {Destination}: its API key, stored before keys were encrypted, is stored encrypted now")]
    private partial void LogKeyEncrypted(string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination}: storing its API key encrypted failed; the next activation tries again")]
    private partial void LogKeyEncryptFailed(Exception ex, string destination);

    [LoggerMessage(Level = LogLevel.Error, Message = "Destination {Destination}: its stored API key cannot be decrypted with the key ring; paused until the key is entered again")]
    private partial void LogKeyUnreadable(Exception ex, string destination);

    [LoggerMessage(Level = LogLevel.Information, Message = "Destination {Destination} deleted; {Discarded} pending events discarded")]
    private partial void LogDeleted(string destination, long discarded);
}
