using System.Collections.Concurrent;
using BroadcastGrains.Delivery;

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
            var oldest = part.Pending.Count == 0 ? (DateTimeOffset?)null : part.Pending.Values.Min(e => e.AcceptedAt);
            return Task.FromResult(new OutboxSummary(part.Pending.Count, part.MaxSeq, oldest, part.DeadLetters.Count));
        }
    }

    public Task AppendAsync(string destinationKey, IReadOnlyList<OutboxEvent> events)
    {
        var part = Get(destinationKey);
        lock (part)
        {
            foreach (var e in events)
            {
                part.Pending.Add(e.Seq, e);
                if (e.Seq > part.MaxSeq) part.MaxSeq = e.Seq;
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<OutboxEvent>> PeekAsync(string destinationKey, int maxCount, long maxBytes)
    {
        var result = new List<OutboxEvent>();
        if (!_parts.TryGetValue(destinationKey, out var part)) return Task.FromResult<IReadOnlyList<OutboxEvent>>(result);
        lock (part)
        {
            long bytes = 0;
            foreach (var e in part.Pending.Values)
            {
                if (result.Count == maxCount || (result.Count > 0 && bytes + e.Payload.Length > maxBytes)) break;
                result.Add(e);
                bytes += e.Payload.Length;
            }
        }
        return Task.FromResult<IReadOnlyList<OutboxEvent>>(result);
    }

    public Task RemoveAsync(string destinationKey, IReadOnlyList<long> seqs)
    {
        if (!_parts.TryGetValue(destinationKey, out var part)) return Task.CompletedTask;
        lock (part)
        {
            foreach (var seq in seqs) part.Pending.Remove(seq);
        }
        return Task.CompletedTask;
    }

    public Task MarkAttemptAsync(string destinationKey, IReadOnlyList<long> seqs)
    {
        if (!_parts.TryGetValue(destinationKey, out var part)) return Task.CompletedTask;
        lock (part)
        {
            foreach (var seq in seqs)
            {
                if (part.Pending.TryGetValue(seq, out var e)) part.Pending[seq] = e with { Attempts = e.Attempts + 1 };
            }
        }
        return Task.CompletedTask;
    }

    public Task DeadLetterAsync(string destinationKey, IReadOnlyList<DeadLetterEntry> entries)
    {
        var part = Get(destinationKey);
        lock (part)
        {
            foreach (var entry in entries)
            {
                part.Pending.Remove(entry.Event.Seq);
                part.DeadLetters.Add(entry);
            }
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
                part.Pending.Add(seq, d.Event with { Seq = seq, AcceptedAt = acceptedAt, Attempts = 0 });
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
        public readonly SortedDictionary<long, OutboxEvent> Pending = new();
        public readonly List<DeadLetterEntry> DeadLetters = new();
        public long MaxSeq;
    }
}
