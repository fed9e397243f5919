namespace BroadcastGrains.Grains.Outbox;

/// <summary>
/// What a destination needs to know about its stored backlog when it activates; <see cref="DeadLettersDropped"/>
/// counts the dead letters that fell out of storage (cap or retention) since the destination was created.
/// </summary>
public readonly record struct OutboxSummary(long Pending, long MaxSeq, DateTimeOffset? OldestAcceptedAt, long DeadLettered, long DeadLettersDropped = 0);
