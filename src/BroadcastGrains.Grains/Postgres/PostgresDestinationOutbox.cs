using BroadcastGrains.Delivery;
using BroadcastGrains.Destinations;
using BroadcastGrains.Grains.Outbox;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// One destination activation's durable outbox: its <see cref="OutboxWindow"/> (what it keeps in memory, held under
/// the ingest journal or copied from rows) in front of the outbox table. Appends go through the silo's group commit,
/// delivered rows are deleted in silo-wide batches, everything else is one statement per call
/// (<see cref="PostgresOutboxRepository"/>), never one per event.
/// </summary>
internal sealed class PostgresDestinationOutbox : IDestinationOutbox, IOutboxRows
{
    // Three references: one of these lives as long as every active destination (idle ones included).
    private readonly string _key;
    private readonly PostgresOutboxStore _store;
    private readonly OutboxWindow _window;

    /// <param name="complete">Whether the table holds nothing for the destination, so the empty window covers everything.</param>
    public PostgresDestinationOutbox(string key, PostgresOutboxStore store, OutboxWindowContext windows, bool complete)
    {
        _key = key;
        _store = store;
        _window = new OutboxWindow(this, windows, complete);
    }

    private PostgresOutboxRepository Repository => _store.Repository;
    private OutboxDeleteBatcher Deletes => _store.Deletes;

    public bool IsDurable => true;

    public async Task<OutboxSummary> SummarizeAsync()
    {
        // Counts must not include rows whose delivery is booked but whose delete is still queued.
        await Deletes.FlushAsync();
        return _window.WithHeld(await Repository.SummarizeAsync(_key));
    }

    public Task AppendAsync(IReadOnlyList<OutboxEvent> events, JournalTicket? journaled = null) =>
        journaled is not null && _window.TryHold(events, journaled) ? Task.CompletedTask : _window.AppendAsync(events);

    public Task<IReadOnlyList<OutboxEvent>> PeekAsync(int maxCount, long maxBytes) => _window.PeekAsync(maxCount, maxBytes);

    public Task RemoveAsync(IReadOnlyList<long> seqs)
    {
        _window.Remove(seqs);
        return Task.CompletedTask;
    }

    public async Task MarkAttemptAsync(IReadOnlyList<long> seqs)
    {
        var rows = await _window.MarkAttemptAsync(seqs);
        if (rows.Count > 0) await Repository.MarkAttemptsAsync(_key, rows);
    }

    public async Task DeadLetterAsync(IReadOnlyList<DeadLetterEntry> entries)
    {
        if (entries.Count == 0) return;
        var held = _window.TakeForDeadLetters(entries.Select(e => e.Event.Seq).ToList());
        await Repository.DeadLetterAsync(_key, entries);
        _window.ReleaseHolds(held);
    }

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit) => Repository.ListDeadLettersAsync(_key, limit);

    public async Task<ReplayResult> RequeueDeadLettersAsync(long afterSeq, DateTimeOffset acceptedAt, int maxCount)
    {
        // The requeued rows are not in the window: from now on it only covers part of the backlog.
        await _window.CoverPartOnlyAsync();
        return await Repository.RequeueDeadLettersAsync(_key, afterSeq, acceptedAt, maxCount);
    }

    public async Task<long> DiscardAllAsync()
    {
        _window.Drop();
        await Deletes.FlushAsync();
        return await Repository.DiscardAllAsync(_key);
    }

    public async Task CloseAsync()
    {
        try
        {
            await _window.CloseAsync();
        }
        catch
        {
            // The journal row stays until the next activation here writes them (or until this silo is gone).
            _store.Stranded.Keep(_key, _window.DetachHeld());
            throw;
        }
        await Deletes.FlushAsync();
    }

    Task IOutboxRows.AppendAsync(IReadOnlyList<OutboxEvent> events) => _store.Appends.AppendAsync(_key, events);

    Task<IReadOnlyList<OutboxEvent>> IOutboxRows.ReadHeadAsync(int maxCount, long maxBytes) => Repository.ReadHeadAsync(_key, maxCount, maxBytes);

    void IOutboxRows.Delete(IReadOnlyList<long> seqs) => Deletes.Enqueue(_key, seqs);

    Task IOutboxRows.FlushDeletesAsync() => Deletes.FlushAsync();
}
