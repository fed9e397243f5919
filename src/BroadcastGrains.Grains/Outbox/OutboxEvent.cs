namespace BroadcastGrains.Grains.Outbox;

/// <summary>One mapped PostHog event waiting for delivery. <see cref="Seq"/> orders a destination's events.</summary>
public sealed record OutboxEvent(long Seq, string GenerationId, DateTimeOffset AcceptedAt, byte[] Payload, int Attempts = 0)
{
    /// <summary>Delivery attempts so far; counted in place by a store that keeps the event in memory.</summary>
    public int Attempts { get; set; } = Attempts;
}
