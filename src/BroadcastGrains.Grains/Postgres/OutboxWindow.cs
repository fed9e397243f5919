using BroadcastGrains.Destinations;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Outbox;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// One destination activation's in-memory view of its pending events (Postgres mode), owned by the activation and
/// touched only from its turns: the head of its outbox rows, so that delivery reads no rows it just wrote, plus the
/// events it holds under an ingest journal entry instead of rows (held). Held events become rows whenever they would
/// otherwise hold a journal row for long: on a failed attempt (<see cref="MarkAttemptAsync"/>), on close, when the
/// oldest waited longer than the journal's <c>MaxHold</c> (checked when a batch is taken), and when the window stops
/// covering every pending event. It is <see cref="Complete"/> while it holds every pending event; then new events may
/// be held; otherwise it is only the head of the table and is refilled from it when it runs dry.
/// Every byte it keeps is counted in the silo's <see cref="MemoryBudget"/>: past it, events are held no longer and
/// appended rows are not kept, and a window that ran dry reads back one batch instead of a refill.
/// </summary>
public sealed class OutboxWindow(IOutboxRows rows, OutboxWindowContext silo, bool complete)
{
    internal const int MaxEvents = 20_000;
    internal const int RefillEvents = 5_000;
    internal const long RefillBytes = 32L * 1024 * 1024;

    private readonly OutboxQueue _queue = new() { Complete = complete };

    private IJournalHolds Journal => silo.Journal;
    private MemoryBudget Budget => silo.Budget;

    /// <summary>Whether the window holds every pending event (and so may hold new ones under a journal entry).</summary>
    public bool Complete => _queue.Complete;
    public int Count => _queue.Count;
    public int Held => _queue.Held;
    public long Bytes => _queue.Bytes;

    /// <summary>
    /// Keeps the events in memory only, under the ticket's journal entry; false when it cannot (another silo's entry,
    /// the window is not complete or full, the memory budget, the entry already closed): the caller appends them.
    /// </summary>
    public bool TryHold(IReadOnlyList<OutboxEvent> events, JournalTicket ticket)
    {
        if (!Journal.IsLocal(ticket)) return false;
        long bytes = 0;
        for (var i = 0; i < events.Count; i++) bytes += events[i].Payload.Length;
        if (!_queue.Complete || _queue.Count + events.Count > MaxEvents || !Budget.TryReserve(bytes)) return false;
        if (!Journal.TryHold(ticket.Entry, events.Count))
        {
            Budget.Release(bytes);
            return false;
        }
        _queue.Appends++;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            e.HeldBy = ticket.Entry;
            _queue.Add(e);
        }
        return true;
    }

    /// <summary>Writes the events as rows and keeps copies while the window is complete and the budget has room.</summary>
    public async Task AppendAsync(IReadOnlyList<OutboxEvent> events)
    {
        await rows.AppendAsync(events);
        _queue.Appends++;
        long bytes = 0;
        foreach (var e in events) bytes += e.Payload.Length;
        if (_queue.Complete && _queue.Count + events.Count <= MaxEvents && Budget.TryReserve(bytes))
        {
            foreach (var e in events) _queue.Add(e);
        }
        else
        {
            // From here on the window is only the head of the table (even if the spill below fails: the rows just
            // appended are not in it), so everything in it must become a row.
            _queue.Complete = false;
            if (_queue.Held > 0) await SpillAsync();
        }
    }

    /// <summary>The next batch: from memory, after spilling held events that waited too long and refilling a dry window.</summary>
    public async Task<IReadOnlyList<OutboxEvent>> PeekAsync(int maxCount, long maxBytes)
    {
        if (_queue.Held > 0 && _queue.First is { } first && silo.Clock.GetUtcNow() - first.AcceptedAt > silo.MaxHold) await SpillAsync();
        if (_queue.Count == 0 && !_queue.Complete)
        {
            // The window ran dry but the table holds more: read the next stretch, after the queued deletes land.
            await rows.FlushDeletesAsync();
            var appendsBefore = _queue.Appends;
            // A full refill only while the budget has room for it; otherwise just the batch asked for, which is in
            // memory for its send anyway (so a silo with many backlogged destinations stays near the budget).
            var roomy = Budget.Available >= RefillBytes;
            var (readEvents, readBytes) = roomy ? (RefillEvents, RefillBytes) : (maxCount, maxBytes);
            var head = await rows.ReadHeadAsync(readEvents, readBytes);
            long bytes = 0;
            foreach (var e in head)
            {
                _queue.Add(e);
                bytes += e.Payload.Length;
            }
            Budget.Add(bytes);
            // Complete only if neither cap cut the read short and nothing was appended while it ran.
            _queue.Complete = head.Count < readEvents && bytes + PostHog.PostHogLimits.MaxEventBytes <= readBytes
                && _queue.Appends == appendsBefore;
        }
        return _queue.Head(maxCount, maxBytes);
    }

    /// <summary>Delivered: the events leave memory, their holds go back, and the rows among them are deleted.</summary>
    public void Remove(IReadOnlyList<long> seqs)
    {
        List<OutboxEvent>? held = _queue.Held > 0 ? [] : null;
        // A spill in flight may still be copying these payloads into rows: then they are left to the GC.
        Budget.Release(_queue.Remove(seqs, held, recycle: _queue.Spilling is null));
        if (held is not { Count: > 0 })
        {
            rows.Delete(seqs);
            return;
        }
        var heldSeqs = held.Select(e => e.Seq).ToHashSet();
        ReleaseHolds(Journal, held);
        var rowSeqs = seqs.Where(s => !heldSeqs.Contains(s)).ToList();
        if (rowSeqs.Count > 0) rows.Delete(rowSeqs);
    }

    /// <summary>
    /// A failed attempt: counts it in memory, spills held events (their rows carry the count) and drops the copies
    /// while the destination backs off. Returns the sequence numbers whose rows still need the count.
    /// </summary>
    public async Task<IReadOnlyList<long>> MarkAttemptAsync(IReadOnlyList<long> seqs)
    {
        _queue.MarkAttempt(seqs);
        // A destination that fails keeps its events as rows from now on (the backoff may be long).
        if (_queue.Held > 0)
        {
            var spilled = (await SpillAsync()).Select(e => e.Seq).ToHashSet();
            seqs = seqs.Where(s => !spilled.Contains(s)).ToList();
        }
        // Nor does it keep copies of its rows in memory while it waits: a thousand destinations backing off
        // would otherwise hold a window each. The next attempt reads its batch back from the table.
        if (_queue.Held == 0 && _queue.Spilling is null)
        {
            _queue.Complete = false;
            Budget.Release(_queue.Clear());
        }
        return seqs;
    }

    /// <summary>
    /// The events are about to become dead letters: they leave the window; returns those that were held, whose holds
    /// go back (<see cref="ReleaseHolds"/>) once the dead letters are committed.
    /// </summary>
    public List<OutboxEvent> TakeForDeadLetters(IReadOnlyList<long> seqs)
    {
        var held = new List<OutboxEvent>();
        Budget.Release(_queue.Remove(seqs, held));
        return held;
    }

    public void ReleaseHolds(List<OutboxEvent> held) => ReleaseHolds(Journal, held);

    /// <summary>Dead letters go back to the table behind the window: from now on it covers only part of the backlog.</summary>
    public async Task CoverPartOnlyAsync()
    {
        if (_queue.Held > 0) await SpillAsync();
        _queue.Complete = false;
    }

    /// <summary>Held events must not outlive the activation that holds them: they become rows, and the window empties.</summary>
    public async Task CloseAsync()
    {
        if (_queue.Held > 0) await SpillAsync();
        Drop();
    }

    /// <summary>Forgets every event (the destination's events are gone, or are rows); the holds of held ones go back.</summary>
    public void Drop()
    {
        var held = _queue.Held > 0 ? _queue.Events.Where(e => e.HeldBy != Guid.Empty).ToList() : null;
        // A spill still writing them (an interleaved turn) then deletes the rows it wrote, and counts nothing twice.
        foreach (var e in _queue.Events) e.Removed = true;
        _queue.Complete = false;
        Budget.Release(_queue.Clear());
        if (held is not null) ReleaseHolds(Journal, held);
    }

    /// <summary>
    /// A close whose spill failed: hands the held events over (still held, their bytes still counted) and forgets the
    /// rest, whose rows stay in the table.
    /// </summary>
    public List<OutboxEvent> DetachHeld()
    {
        var held = _queue.Events.Where(e => e.HeldBy != Guid.Empty).ToList();
        long heldBytes = 0;
        foreach (var e in held) heldBytes += e.Payload.Length;
        Budget.Release(_queue.Clear() - heldBytes);
        _queue.Complete = false;
        return held;
    }

    /// <summary>Held events are pending too, though they have no row: adds them to what the table says.</summary>
    public OutboxSummary WithHeld(OutboxSummary stored)
    {
        if (_queue.Held == 0) return stored;
        long held = 0, maxSeq = stored.MaxSeq;
        var oldest = stored.OldestAcceptedAt;
        foreach (var e in _queue.Events)
        {
            if (e.HeldBy == Guid.Empty) continue;
            held++;
            maxSeq = Math.Max(maxSeq, e.Seq);
            if (oldest is null || e.AcceptedAt < oldest) oldest = e.AcceptedAt;
        }
        return stored with { Pending = stored.Pending + held, MaxSeq = maxSeq, OldestAcceptedAt = oldest };
    }

    /// <summary>
    /// Turns the held events into rows and releases their journal holds. One spill at a time, so that no event is
    /// written twice.
    /// </summary>
    private async Task<List<OutboxEvent>> SpillAsync()
    {
        while (_queue.Spilling is { } running) await running;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Spilling = done.Task;
        try
        {
            var held = _queue.Events.Where(e => e.HeldBy != Guid.Empty).ToList();
            if (held.Count == 0) return held;
            await rows.AppendAsync(held);
            // An event delivered or dead-lettered while its row was being written left the window then (and its
            // remover released its hold): its new row goes again, and it is no longer this window's to count.
            var removedMeanwhile = held.Where(e => e.Removed).Select(e => e.Seq).ToList();
            if (removedMeanwhile.Count > 0)
            {
                rows.Delete(removedMeanwhile);
                held = held.Where(e => !e.Removed).ToList();
            }
            _queue.Held -= held.Count;
            ReleaseHolds(Journal, held);
            return held;
        }
        finally
        {
            _queue.Spilling = null;
            done.TrySetResult();
        }
    }

    /// <summary>Gives the events' holds back to the journal (runs of one entry at a time) and marks them unheld.</summary>
    internal static void ReleaseHolds(IJournalHolds journal, List<OutboxEvent> events)
    {
        var i = 0;
        while (i < events.Count)
        {
            var entry = events[i].HeldBy;
            var n = 0;
            for (; i < events.Count && events[i].HeldBy == entry; i++, n++) events[i].HeldBy = Guid.Empty;
            if (entry != Guid.Empty) journal.Release(entry, n);
        }
    }
}
