namespace BroadcastGrains.Grains.Outbox;

/// <summary>What a destination needs to know about its stored backlog when it activates.</summary>
public readonly record struct OutboxSummary(long Pending, long MaxSeq, DateTimeOffset? OldestAcceptedAt, long DeadLettered);
