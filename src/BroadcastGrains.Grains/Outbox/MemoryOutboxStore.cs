using System.Collections.Concurrent;
using BroadcastGrains.Delivery;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.Telemetry;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Grains.Outbox;

/// <summary>
/// The embedded default: a per-silo store that outlives grain activations but not the process.
/// Each destination's part is touched by one grain activation at a time, so a plain lock per part is enough.
/// Every payload byte it keeps (pending events and dead letters) is counted in the silo's <see cref="MemoryBudget"/>:
/// an append past the budget is refused (ingest answers 503), and a dead letter made while the budget is spent
/// keeps its record without its payload (listed and counted, not replayable).
/// Dead letters are kept in the order they were made, at most <see cref="DeliveryOptions.MaxDeadLetters"/> per
/// destination and for <see cref="DeliveryOptions.DeadLetterRetention"/>; the oldest fall out first, counted.
/// The parts are the storage itself, not a cache of activations: they outlive every activation, which only opens a
/// view of its own (<see cref="For"/>).
/// </summary>
public sealed class MemoryOutboxStore(MemoryBudget budget, TimeProvider clock, IOptions<DeliveryOptions> options) : IOutboxStore
{
    private readonly ConcurrentDictionary<string, Part> _parts = new();
    private readonly DeliveryOptions _options = options.Value;

    private Part Get(string key) => _parts.GetOrAdd(key, static _ => new Part());

    public async Task<(IDestinationOutbox Outbox, OutboxSummary Stored)> OpenAsync(string destinationKey) =>
        (For(destinationKey), await SummarizeAsync(destinationKey));

    /// <summary>One destination's view of this store, as an activation uses it.</summary>
    public IDestinationOutbox For(string destinationKey) => new MemoryDestinationOutbox(this, destinationKey);

    public Task<OutboxSummary> SummarizeAsync(string destinationKey)
    {
        if (!_parts.TryGetValue(destinationKey, out var part)) return Task.FromResult(default(OutboxSummary));
        lock (part)
        {
            // Sequence order is acceptance order (replays are appended with a new time), so the head is the oldest.
            return Task.FromResult(new OutboxSummary(
                part.Pending.Count, part.MaxSeq, part.Pending.First?.AcceptedAt, part.DeadLetters.Count, part.DroppedCap + part.DroppedRetention));
        }
    }

    public Task AppendAsync(string destinationKey, IReadOnlyList<OutboxEvent> events)
    {
        long bytes = 0;
        for (var i = 0; i < events.Count; i++) bytes += events[i].Payload.Length;
        // Before anything is stored: a refused call leaves nothing behind, and the client's retry brings it all again.
        budget.Reserve(bytes);
        var part = Get(destinationKey);
        lock (part)
        {
            foreach (var e in events)
            {
                part.Pending.Add(e);
                if (e.Seq > part.MaxSeq) part.MaxSeq = e.Seq;
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<OutboxEvent>> PeekAsync(string destinationKey, int maxCount, long maxBytes)
    {
        if (!_parts.TryGetValue(destinationKey, out var part)) return Task.FromResult<IReadOnlyList<OutboxEvent>>([]);
        lock (part) return Task.FromResult<IReadOnlyList<OutboxEvent>>(part.Pending.Head(maxCount, maxBytes));
    }

    public Task RemoveAsync(string destinationKey, IReadOnlyList<long> seqs)
    {
        if (!_parts.TryGetValue(destinationKey, out var part)) return Task.CompletedTask;
        // Only the destination's delivery loop removes, once the batch is sent: nothing reads these payloads again.
        lock (part) budget.Release(part.Pending.Remove(seqs, recycle: true));
        return Task.CompletedTask;
    }

    public Task MarkAttemptAsync(string destinationKey, IReadOnlyList<long> seqs)
    {
        if (!_parts.TryGetValue(destinationKey, out var part)) return Task.CompletedTask;
        lock (part) part.Pending.MarkAttempt(seqs);
        return Task.CompletedTask;
    }

    public Task DeadLetterAsync(string destinationKey, IReadOnlyList<DeadLetterEntry> entries)
    {
        if (entries.Count == 0) return Task.CompletedTask;
        var part = Get(destinationKey);
        long payloadsDropped = 0;
        (long Cap, long Retention) dropped;
        lock (part)
        {
            // The pending events' bytes are already counted: their dead letters take that share over, and only
            // letters made at acceptance (backlog_full) need budget of their own.
            var counted = part.Pending.Remove(entries.Select(e => e.Event.Seq).ToList());
            foreach (var entry in entries)
            {
                var length = entry.Event.Payload.Length;
                if (length <= counted) counted -= length;
                else if (!budget.TryReserve(length))
                {
                    part.DeadLetters.Add(entry with { Event = entry.Event.WithoutPayload() });
                    payloadsDropped++;
                    continue;
                }
                // Dead letters stay for days and may be replayed: they keep their own copy, not a pooled block.
                part.DeadLetters.Add(entry.Event.InPooledBlock ? entry with { Event = entry.Event.Detached() } : entry);
            }
            budget.Release(counted);
            dropped = Trim(part);
        }
        if (payloadsDropped > 0) BroadcastTelemetry.DeadLetterPayloadsDropped.Add(payloadsDropped);
        CountDropped(dropped);
        return Task.CompletedTask;
    }

    public Task<long> SweepDeadLettersAsync(CancellationToken cancellationToken)
    {
        (long Cap, long Retention) total = default;
        foreach (var part in _parts.Values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (part)
            {
                var (cap, retention) = Trim(part);
                total = (total.Cap + cap, total.Retention + retention);
            }
        }
        CountDropped(total);
        return Task.FromResult(total.Cap + total.Retention);
    }

    /// <summary>Drops what is past the retention, then the oldest beyond the cap; under the part's lock.</summary>
    private (long Cap, long Retention) Trim(Part part)
    {
        var letters = part.DeadLetters;
        var cutoff = clock.GetUtcNow() - _options.DeadLetterRetention;
        long retention = 0, cap = 0, freed = 0;
        // Letters are in the order they were made, so the expired ones are (nearly always) a prefix; a letter made
        // a moment earlier by an interleaved call may sit behind a newer one, hence the whole scan once the head is due.
        if (letters.Count > 0 && letters[0].FailedAt < cutoff)
        {
            retention = letters.RemoveAll(d =>
            {
                if (d.FailedAt >= cutoff) return false;
                freed += d.Event.Payload.Length;
                return true;
            });
        }
        var excess = letters.Count - Math.Max(0, _options.MaxDeadLetters);
        if (excess > 0)
        {
            for (var i = 0; i < excess; i++) freed += letters[i].Event.Payload.Length;
            letters.RemoveRange(0, excess);
            cap = excess;
        }
        budget.Release(freed);
        part.DroppedCap += cap;
        part.DroppedRetention += retention;
        return (cap, retention);
    }

    private static void CountDropped((long Cap, long Retention) dropped)
    {
        if (dropped.Cap > 0) BroadcastTelemetry.DeadLettersDropped.Add(dropped.Cap, BroadcastTelemetry.Reason("cap"));
        if (dropped.Retention > 0) BroadcastTelemetry.DeadLettersDropped.Add(dropped.Retention, BroadcastTelemetry.Reason("retention"));
    }

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string destinationKey, int limit)
    {
        if (!_parts.TryGetValue(destinationKey, out var part)) return Task.FromResult<IReadOnlyList<DeadLetter>>([]);
        lock (part)
        {
            IReadOnlyList<DeadLetter> list = part.DeadLetters
                .OrderByDescending(d => d.FailedAt)
                .Take(limit)
                .Select(d => new DeadLetter
                {
                    GenerationId = d.Event.GenerationId,
                    Reason = d.Reason,
                    Status = d.Status,
                    FailedAt = d.FailedAt,
                    Attempts = d.Event.Attempts,
                })
                .ToList();
            return Task.FromResult(list);
        }
    }

    public Task<ReplayResult> RequeueDeadLettersAsync(string destinationKey, long afterSeq, DateTimeOffset acceptedAt, int maxCount)
    {
        if (!_parts.TryGetValue(destinationKey, out var part)) return Task.FromResult(default(ReplayResult));
        lock (part)
        {
            var seq = Math.Max(afterSeq, part.MaxSeq);
            var moved = 0;
            long remaining = 0;
            // Oldest first. A letter without a payload (not mappable small enough, or made while the memory budget
            // was spent) cannot be sent: it stays and is not counted as replayable. The bytes stay counted: they
            // only move from the dead letters to the pending events.
            part.DeadLetters.RemoveAll(d =>
            {
                if (d.Event.Payload.Length == 0) return false;
                if (moved >= maxCount)
                {
                    remaining++;
                    return false;
                }
                seq++;
                moved++;
                part.Pending.Add(d.Event with { Seq = seq, AcceptedAt = acceptedAt, Attempts = 0 });
                return true;
            });
            part.MaxSeq = seq;
            return Task.FromResult(new ReplayResult { Replayed = moved, Remaining = remaining });
        }
    }

    public Task<long> DiscardAllAsync(string destinationKey)
    {
        if (!_parts.TryRemove(destinationKey, out var part)) return Task.FromResult(0L);
        lock (part)
        {
            long bytes = part.Pending.Bytes;
            foreach (var d in part.DeadLetters) bytes += d.Event.Payload.Length;
            budget.Release(bytes);
            return Task.FromResult((long)part.Pending.Count);
        }
    }

    private sealed class Part
    {
        public readonly OutboxQueue Pending = new();
        /// <summary>In the order they were made: the head is the oldest, the first to fall out.</summary>
        public readonly List<DeadLetterEntry> DeadLetters = new();
        public long MaxSeq;
        public long DroppedCap;
        public long DroppedRetention;
    }
}
