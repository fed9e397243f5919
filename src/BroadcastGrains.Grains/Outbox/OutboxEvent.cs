namespace BroadcastGrains.Grains.Outbox;

/// <summary>One mapped PostHog event waiting for delivery. <see cref="Seq"/> orders a destination's events.</summary>
public sealed record OutboxEvent(long Seq, string GenerationId, DateTimeOffset AcceptedAt, byte[] Payload, int Attempts = 0)
{
    /// <summary>Delivery attempts so far; counted in place by a store that keeps the event in memory.</summary>
    public int Attempts { get; set; } = Attempts;

    /// <summary>
    /// The ingest journal entry that makes this event durable while it lives only in memory (Postgres mode);
    /// empty when the event is a row of the outbox (or the store is not durable).
    /// </summary>
    public Guid HeldBy { get; set; }

    /// <summary>Set once the event has left its window (delivered, dead-lettered or discarded).</summary>
    public bool Removed { get; set; }
}
