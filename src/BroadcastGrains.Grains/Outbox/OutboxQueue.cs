namespace BroadcastGrains.Grains.Outbox;

/// <summary>
/// One destination's pending events in memory, in sequence order: appended at the tail, delivered from the
/// head. The memory store keeps all of them here; in Postgres mode an activation's window keeps the head of the table
/// here (and the events it holds under the ingest journal), and <see cref="Complete"/> says whether that is every
/// pending event.
/// </summary>
internal sealed class OutboxQueue
{
    private Queue<OutboxEvent> _events = new();

    public bool Complete { get; set; }
    public long Bytes { get; private set; }
    public int Count => _events.Count;
    public OutboxEvent? First => _events.TryPeek(out var head) ? head : null;
    /// <summary>Bumped by every append, so a refill can tell that rows may have arrived while it was reading.</summary>
    public long Appends { get; set; }
    /// <summary>Events held by an ingest journal entry rather than stored as outbox rows.</summary>
    public int Held { get; set; }
    /// <summary>The spill of held events into rows in progress, if any.</summary>
    public Task? Spilling { get; set; }

    public IEnumerable<OutboxEvent> Events => _events;

    public void Add(OutboxEvent e)
    {
        _events.Enqueue(e);
        Bytes += e.Payload.Length;
        if (e.HeldBy != Guid.Empty) Held++;
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

    /// <summary>Forgets every event (they are rows elsewhere, or gone; nothing is recycled); returns the bytes freed.</summary>
    public long Clear()
    {
        var freed = Bytes;
        _events = new Queue<OutboxEvent>();
        Bytes = 0;
        Held = 0;
        return freed;
    }

    /// <summary>
    /// Removes the given events; returns the bytes freed and adds the removed events that were held by a journal
    /// entry to <paramref name="held"/>. Deliveries leave from the head, so that is the fast path.
    /// With <paramref name="recycle"/> (delivered, and nothing of this queue being written elsewhere) the removed
    /// events give their pooled payload space back.
    /// </summary>
    public long Remove(IReadOnlyList<long> seqs, List<OutboxEvent>? held = null, bool recycle = false)
    {
        var freed = 0L;
        var set = seqs.Count > 8 ? seqs.ToHashSet() : null;
        bool Contains(long seq) => set?.Contains(seq) ?? seqs.Contains(seq);

        void Removed(OutboxEvent e)
        {
            e.Removed = true;
            freed += e.Payload.Length;
            if (recycle) e.Recycle();
            if (e.HeldBy == Guid.Empty) return;
            Held--;
            held?.Add(e);
        }

        while (_events.TryPeek(out var head) && Contains(head.Seq))
        {
            _events.Dequeue();
            Removed(head);
        }
        if (_events.Any(e => Contains(e.Seq)))
        {
            var kept = new Queue<OutboxEvent>(_events.Count);
            foreach (var e in _events)
            {
                if (Contains(e.Seq)) Removed(e);
                else kept.Enqueue(e);
            }
            _events = kept;
        }
        Bytes -= freed;
        return freed;
    }
}
