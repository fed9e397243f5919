using BroadcastGrains.Delivery;
using BroadcastGrains.Destinations;

namespace BroadcastGrains.Grains.Outbox;

/// <summary>
/// An activation's view of its part of the <see cref="MemoryOutboxStore"/>. The events are the silo's storage and
/// outlive the activation, so closing keeps them; nothing here is durable, so a journal ticket has nothing to offer.
/// </summary>
internal sealed class MemoryDestinationOutbox(MemoryOutboxStore store, string key) : IDestinationOutbox
{
    public bool IsDurable => false;

    public Task<OutboxSummary> SummarizeAsync() => store.SummarizeAsync(key);

    public Task AppendAsync(IReadOnlyList<OutboxEvent> events, JournalTicket? journaled = null) => store.AppendAsync(key, events);

    public Task<IReadOnlyList<OutboxEvent>> PeekAsync(int maxCount, long maxBytes) => store.PeekAsync(key, maxCount, maxBytes);

    public Task RemoveAsync(IReadOnlyList<long> seqs) => store.RemoveAsync(key, seqs);

    public Task MarkAttemptAsync(IReadOnlyList<long> seqs) => store.MarkAttemptAsync(key, seqs);

    public Task DeadLetterAsync(IReadOnlyList<DeadLetterEntry> entries) => store.DeadLetterAsync(key, entries);

    public Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit) => store.ListDeadLettersAsync(key, limit);

    public Task<ReplayResult> RequeueDeadLettersAsync(long afterSeq, DateTimeOffset acceptedAt, int maxCount) =>
        store.RequeueDeadLettersAsync(key, afterSeq, acceptedAt, maxCount);

    public Task<long> DiscardAllAsync() => store.DiscardAllAsync(key);

    public Task CloseAsync() => Task.CompletedTask;
}
