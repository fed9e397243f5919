using BroadcastGrains.Grains.Outbox;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>One destination's rows of the outbox table, as its <see cref="OutboxWindow"/> writes and reads them.</summary>
public interface IOutboxRows
{
    /// <summary>Writes the events as rows (the silo's group commit); returns once they are committed.</summary>
    Task AppendAsync(IReadOnlyList<OutboxEvent> events);

    /// <summary>The oldest rows in order, at most <paramref name="maxCount"/> and about <paramref name="maxBytes"/> (at least one).</summary>
    Task<IReadOnlyList<OutboxEvent>> ReadHeadAsync(int maxCount, long maxBytes);

    /// <summary>Deletes the rows a moment later, batched with other destinations' deletes.</summary>
    void Delete(IReadOnlyList<long> seqs);

    /// <summary>Returns once every delete queued so far is committed.</summary>
    Task FlushDeletesAsync();
}
