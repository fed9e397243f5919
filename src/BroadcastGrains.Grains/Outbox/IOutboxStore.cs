using BroadcastGrains.Delivery;
using BroadcastGrains.Destinations;

namespace BroadcastGrains.Grains.Outbox;

/// <summary>
/// Where accepted events and dead letters live, per destination key. Appends return only once the events
/// are as durable as the mode promises: that is what a 202 stands on.
/// </summary>
public interface IOutboxStore
{
    /// <summary>Whether stored events survive the process; if not, shutdown must try to send them first.</summary>
    bool IsDurable { get; }

    /// <summary>
    /// Called when a destination activates on this silo: forgets anything this silo cached about the key (the
    /// destination may have lived on another silo meanwhile) and summarises what is stored.
    /// </summary>
    Task<OutboxSummary> OpenAsync(string destinationKey);

    /// <summary>Called when the destination deactivates: makes pending removals durable and drops caches.</summary>
    Task CloseAsync(string destinationKey);

    Task<OutboxSummary> SummarizeAsync(string destinationKey);

    Task AppendAsync(string destinationKey, IReadOnlyList<OutboxEvent> events);

    /// <summary>
    /// Keeps the events in memory only, made durable by the ingest journal entry of <paramref name="ticket"/>
    /// (which must come from this silo), instead of appending them. False when the store cannot (not durable,
    /// another silo's ticket, memory budget, older events stored as rows): the caller appends them instead.
    /// The store moves held events into its rows whenever they would otherwise outlive the entry's purpose:
    /// on a failed attempt, on close, when they wait too long or memory runs short.
    /// </summary>
    bool TryHold(string destinationKey, IReadOnlyList<OutboxEvent> events, JournalTicket ticket);

    /// <summary>The oldest pending events in order, at most <paramref name="maxCount"/> and about <paramref name="maxBytes"/>.</summary>
    Task<IReadOnlyList<OutboxEvent>> PeekAsync(string destinationKey, int maxCount, long maxBytes);

    /// <summary>
    /// Removes delivered events. A durable store may make this durable a moment later (batched with other
    /// destinations): after a crash in that moment the events are delivered again, under the same uuid.
    /// </summary>
    Task RemoveAsync(string destinationKey, IReadOnlyList<long> seqs);

    /// <summary>Records how many attempts the events have had, so a dead letter can say so after a restart.</summary>
    Task MarkAttemptAsync(string destinationKey, IReadOnlyList<long> seqs);

    /// <summary>
    /// Moves events (pending or not yet stored) to the dead letters in one step, then trims the destination's dead
    /// letters to <c>MaxDeadLetters</c> and <c>DeadLetterRetention</c>, oldest first; what falls out is counted
    /// (<see cref="OutboxSummary.DeadLettersDropped"/> and the <c>broadcast.dead_letters.dropped</c> metric).
    /// </summary>
    Task DeadLetterAsync(string destinationKey, IReadOnlyList<DeadLetterEntry> entries);

    /// <summary>Removes every destination's dead letters past the retention, counted; returns how many.</summary>
    Task<long> SweepDeadLettersAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string destinationKey, int limit);

    /// <summary>
    /// Takes at most <paramref name="maxCount"/> of the oldest replayable dead letters (those with a payload) back
    /// into the pending events, with new sequence numbers after <paramref name="afterSeq"/>; returns how many moved
    /// and how many replayable ones are left.
    /// </summary>
    Task<ReplayResult> RequeueDeadLettersAsync(string destinationKey, long afterSeq, DateTimeOffset acceptedAt, int maxCount);

    /// <summary>Drops everything the destination has; returns how many pending events were discarded.</summary>
    Task<long> DiscardAllAsync(string destinationKey);
}
