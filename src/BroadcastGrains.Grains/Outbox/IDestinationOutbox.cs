using BroadcastGrains.Delivery;
using BroadcastGrains.Destinations;

namespace BroadcastGrains.Grains.Outbox;

/// <summary>
/// One destination's outbox, as one activation sees it: opened when it activates (<see cref="IOutboxStore.OpenAsync"/>),
/// used only from its turns, closed when it deactivates. Appends return only once the events are as durable as the
/// mode promises: that is what a 202 stands on.
/// </summary>
public interface IDestinationOutbox
{
    /// <summary>Whether stored events survive the process; if not, shutdown must try to send them first.</summary>
    bool IsDurable { get; }

    Task<OutboxSummary> SummarizeAsync();

    /// <summary>
    /// Stores the events. With a <paramref name="journaled"/> ticket from this silo's ingest journal, a durable outbox
    /// may keep them in memory only, made durable by that journal entry, instead of writing rows (CONTRACT §8.2: the
    /// 202 still means committed); it moves them into rows whenever they would otherwise outlive the entry's purpose:
    /// on a failed attempt, on close, when they wait too long or memory runs short.
    /// </summary>
    Task AppendAsync(IReadOnlyList<OutboxEvent> events, JournalTicket? journaled = null);

    /// <summary>The oldest pending events in order, at most <paramref name="maxCount"/> and about <paramref name="maxBytes"/>.</summary>
    Task<IReadOnlyList<OutboxEvent>> PeekAsync(int maxCount, long maxBytes);

    /// <summary>
    /// Removes delivered events. A durable outbox may make this durable a moment later (batched with other
    /// destinations): after a crash in that moment the events are delivered again, under the same uuid.
    /// </summary>
    Task RemoveAsync(IReadOnlyList<long> seqs);

    /// <summary>Records how many attempts the events have had, so a dead letter can say so after a restart.</summary>
    Task MarkAttemptAsync(IReadOnlyList<long> seqs);

    /// <summary>
    /// Moves events (pending or not yet stored) to the dead letters in one step, then trims the destination's dead
    /// letters to <c>MaxDeadLetters</c> and <c>DeadLetterRetention</c>, oldest first; what falls out is counted
    /// (<see cref="OutboxSummary.DeadLettersDropped"/> and the <c>broadcast.dead_letters.dropped</c> metric).
    /// </summary>
    Task DeadLetterAsync(IReadOnlyList<DeadLetterEntry> entries);

    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int limit);

    /// <summary>
    /// Takes at most <paramref name="maxCount"/> of the oldest replayable dead letters (those with a payload) back
    /// into the pending events, with new sequence numbers after <paramref name="afterSeq"/>; returns how many moved
    /// and how many replayable ones are left.
    /// </summary>
    Task<ReplayResult> RequeueDeadLettersAsync(long afterSeq, DateTimeOffset acceptedAt, int maxCount);

    /// <summary>Drops everything the destination has; returns how many pending events were discarded.</summary>
    Task<long> DiscardAllAsync();

    /// <summary>The activation ends: nothing it keeps in memory may be needed after this (made durable, or given up with the process).</summary>
    Task CloseAsync();
}
