using BroadcastGrains.Grains.Outbox;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// The head of one destination's outbox, kept in memory by the silo where the destination is active, so
/// the delivery loop reads what it just wrote without a query. <see cref="Complete"/> says whether every
/// pending event of the destination is here; when it is not, the rest is read from the table.
/// </summary>
internal sealed class OutboxWindow
{
    private Queue<OutboxEvent> _events = new();

    public bool Complete { get; set; }
    public long Bytes { get; private set; }
    public int Count => _events.Count;
    /// <summary>Bumped by every append, so a refill can tell that rows may have arrived while it was reading.</summary>
    public long Appends { get; set; }

    public void Add(OutboxEvent e)
    {
        _events.Enqueue(e);
        Bytes += e.Payload.Length;
    }

    public List<OutboxEvent> Head(int maxCount, long maxBytes)
    {
        var result = new List<OutboxEvent>(Math.Min(maxCount, _events.Count));
        long bytes = 0;
        foreach (var e in _events)
        {
            if (result.Count == maxCount || (result.Count > 0 && bytes + e.Payload.Length > maxBytes)) break;
            result.Add(e);
            bytes += e.Payload.Length;
        }
        return result;
    }

    public void MarkAttempt(IReadOnlyList<long> seqs)
    {
        var set = seqs.ToHashSet();
        foreach (var e in _events)
        {
            if (set.Contains(e.Seq)) e.Attempts++;
        }
    }

    /// <summary>Removes the given events; returns the bytes freed. Deliveries leave from the head, so that is the fast path.</summary>
    public long Remove(IReadOnlyList<long> seqs)
    {
        var freed = 0L;
        var set = seqs.Count > 8 ? seqs.ToHashSet() : null;
        bool Contains(long seq) => set?.Contains(seq) ?? seqs.Contains(seq);

        while (_events.TryPeek(out var head) && Contains(head.Seq))
        {
            _events.Dequeue();
            freed += head.Payload.Length;
        }
        if (_events.Any(e => Contains(e.Seq)))
        {
            var kept = new Queue<OutboxEvent>(_events.Count);
            foreach (var e in _events)
            {
                if (Contains(e.Seq)) freed += e.Payload.Length;
                else kept.Enqueue(e);
            }
            _events = kept;
        }
        Bytes -= freed;
        return freed;
    }
}
