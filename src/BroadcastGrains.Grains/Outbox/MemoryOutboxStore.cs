using System.Collections.Concurrent;
using BroadcastGrains.Delivery;
using BroadcastGrains.Destinations;

namespace BroadcastGrains.Grains.Outbox;

/// <summary>
/// The embedded default: a per-silo store that outlives grain activations but not the process.
/// Each destination's part is touched by one grain activation at a time, so a plain lock per part is enough.
/// </summary>
public sealed class MemoryOutboxStore : IOutboxStore
{
    private readonly ConcurrentDictionary<string, Part> _parts = new();

    public bool IsDurable => false;

    private Part Get(string key) => _parts.GetOrAdd(key, static _ => new Part());

    public Task<OutboxSummary> OpenAsync(string destinationKey) => SummarizeAsync(destinationKey);

    public Task CloseAsync(string destinationKey) => Task.CompletedTask;

    public Task<OutboxSummary> SummarizeAsync(string destinationKey)
    {
        if (!_parts.TryGetValue(destinationKey, out var part)) return Task.FromResult(default(OutboxSummary));
        lock (part)
        {
            // Sequence order is acceptance order (replays are appended with a new time), so the head is the oldest.
            return Task.FromResult(new OutboxSummary(part.Pending.Count, part.MaxSeq, part.Pending.First?.AcceptedAt, part.DeadLetters.Count));
        }
    }

    public Task AppendAsync(string destinationKey, IReadOnlyList<OutboxEvent> events)
    {
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

    /// <summary>Nothing here is durable, so there is no journal to lean on.</summary>
    public bool TryHold(string destinationKey, IReadOnlyList<OutboxEvent> events, JournalTicket ticket) => false;

    public Task<IReadOnlyList<OutboxEvent>> PeekAsync(string destinationKey, int maxCount, long maxBytes)
    {
        if (!_parts.TryGetValue(destinationKey, out var part)) return Task.FromResult<IReadOnlyList<OutboxEvent>>([]);
        lock (part) return Task.FromResult<IReadOnlyList<OutboxEvent>>(part.Pending.Head(maxCount, maxBytes));
    }

    public Task RemoveAsync(string destinationKey, IReadOnlyList<long> seqs)
    {
        if (!_parts.TryGetValue(destinationKey, out var part)) return Task.CompletedTask;
        // Only the destination's delivery loop removes, once the batch is sent: nothing reads these payloads again.
        lock (part) part.Pending.Remove(seqs, recycle: true);
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
        var part = Get(destinationKey);
        lock (part)
        {
            part.Pending.Remove(entries.Select(e => e.Event.Seq).ToList());
            // Dead letters stay for days and may be replayed: they keep their own copy, not a pooled block.
            foreach (var entry in entries) part.DeadLetters.Add(entry.Event.InPooledBlock ? entry with { Event = entry.Event.Detached() } : entry);
        }
        return Task.CompletedTask;
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

    public Task<int> RequeueDeadLettersAsync(string destinationKey, long afterSeq, DateTimeOffset acceptedAt)
    {
        if (!_parts.TryGetValue(destinationKey, out var part)) return Task.FromResult(0);
        lock (part)
        {
            var seq = Math.Max(afterSeq, part.MaxSeq);
            // An event that could not be mapped small enough has no payload: replaying it cannot help, so it stays.
            var replayable = part.DeadLetters.Where(d => d.Event.Payload.Length > 0).OrderBy(d => d.Event.Seq).ToList();
            foreach (var d in replayable)
            {
                seq++;
                part.Pending.Add(d.Event with { Seq = seq, AcceptedAt = acceptedAt, Attempts = 0 });
            }
            part.MaxSeq = seq;
            part.DeadLetters.RemoveAll(d => d.Event.Payload.Length > 0);
            return Task.FromResult(replayable.Count);
        }
    }

    public Task<long> DiscardAllAsync(string destinationKey)
    {
        if (!_parts.TryRemove(destinationKey, out var part)) return Task.FromResult(0L);
        lock (part) return Task.FromResult((long)part.Pending.Count);
    }

    private sealed class Part
    {
        public readonly OutboxQueue Pending = new();
        public readonly List<DeadLetterEntry> DeadLetters = new();
        public long MaxSeq;
    }
}
