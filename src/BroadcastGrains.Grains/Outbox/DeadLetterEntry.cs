namespace BroadcastGrains.Grains.Outbox;

/// <summary>An event given up on, with why; the payload is kept so that it can be replayed.</summary>
public sealed record DeadLetterEntry(OutboxEvent Event, string Reason, int? Status, DateTimeOffset FailedAt);
