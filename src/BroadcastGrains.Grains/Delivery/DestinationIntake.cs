using BroadcastGrains.Delivery;
using BroadcastGrains.Destinations;
using BroadcastGrains.Grains.Destinations;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.PostHog.Mapping;
using BroadcastGrains.Traces;
using Microsoft.Extensions.Logging;

namespace BroadcastGrains.Grains.Delivery;

/// <summary>
/// Where a destination accepts records: each is sampled, mapped to its PostHog event and stored in the outbox, or
/// dead-lettered (unmappable, too large, backlog full) with its reason; then the <see cref="DeliveryLoop"/> hears of
/// them. The per-record hot path: nothing here allocates per event beyond the event itself.
/// </summary>
public sealed class DestinationIntake(DestinationContext destination, DeliveryLoop loop, IDestinationOutbox outbox, PayloadPool payloadPool,
    DeliveryOptions options, TimeProvider clock, ILogger logger)
{
    private PayloadArena? _payloads;

    /// <summary>The highest sequence number given out or stored; the next event gets the one after it.</summary>
    public long MaxSeq { get; set; }

    public async Task<EnqueueResult> EnqueueAsync(IReadOnlyList<TraceRecord> records, JournalTicket? ticket)
    {
        var state = destination.State;
        if (destination.Config is not { Enabled: true } config || destination.Mapping is not { } mapping || state.BroadcastOff)
            return new EnqueueResult { Skipped = records.Count };

        // No log scope here: this is the per-record hot path and it logs only on a bug (below), so the AsyncLocal
        // switch of a scope would be paid on every call for nothing.
        using var activity = BroadcastTelemetry.Source.StartActivity("destination.enqueue");
        activity?.SetTag("broadcast.workspace_id", destination.WorkspaceId);
        activity?.SetTag("broadcast.destination_id", destination.DestinationId);
        activity?.SetTag("broadcast.records", records.Count);
        var now = clock.GetUtcNow();
        var accepted = new List<OutboxEvent>(records.Count);
        List<DeadLetterEntry>? dead = null;
        var sampledOut = 0;
        // Indexed, not foreach: enumerating through the interface boxes an enumerator per call.
        for (var r = 0; r < records.Count; r++)
        {
            var record = records[r];
            if (!SessionSampler.Keep(destination.DestinationId, record.SessionId, record.GenerationId, config.SamplingRate))
            {
                sampledOut++;
                continue;
            }
            var seq = ++MaxSeq;
            bool mapped;
            ReadOnlySpan<byte> json;
            try
            {
                mapped = PostHogEventMapper.TryMap(record, mapping, out json, out _);
            }
            catch (Exception ex)
            {
                // The front end validated the record, so whatever the mapper throws is a bug of ours (or a record
                // accepted by an older parser, replayed from the journal): keep the evidence as a dead letter and go
                // on with the other records, never fail the whole call over one of them.
                using (logger.BeginScope(destination.LogScope)) DeliveryLog.Unmappable(logger, ex, destination.Key, record.GenerationId);
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
            if (loop.Pending + accepted.Count >= options.MaxBacklog)
                (dead ??= new()).Add(new DeadLetterEntry(new OutboxEvent(seq, record.GenerationId, now, json.ToArray()), DeadLetterReasons.BacklogFull, null, now));
            else
                accepted.Add((_payloads ??= new PayloadArena(payloadPool)).Create(seq, record.GenerationId, now, json));
        }

        // A destination that is backing off or paused will not send soon: its events go straight to rows, so it does
        // not offer the journal entry. Memory storage refuses this past the silo's memory budget
        // (IngestUnavailableException, answered 503): nothing of the call is stored then (its dead letters neither),
        // and the client's retry brings it again.
        if (accepted.Count > 0) await outbox.AppendAsync(accepted, loop.ConsecutiveFailures == 0 && !state.Paused ? ticket : null);
        if (dead is not null)
        {
            await outbox.DeadLetterAsync(dead);
            foreach (var d in dead) BroadcastTelemetry.EventsDeadLettered.Add(1, BroadcastTelemetry.Reason(d.Reason));
        }
        BroadcastTelemetry.EventsQueued.Add(accepted.Count);
        if (sampledOut > 0)
        {
            destination.State.SampledOut += sampledOut;
            destination.MarkDirty();
            BroadcastTelemetry.EventsSampledOut.Add(sampledOut);
        }
        loop.Accepted(accepted.Count, now);
        return new EnqueueResult { Queued = accepted.Count, SampledOut = sampledOut, DeadLettered = dead?.Count ?? 0 };
    }

    /// <summary>The activation ends: its last payload block goes back to the pool once its events are gone.</summary>
    public void Close() => _payloads?.Close();
}
