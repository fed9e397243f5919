namespace BroadcastGrains.Delivery;

[GenerateSerializer, Immutable]
public sealed record DeadLetter
{
    [Id(0)] public required string GenerationId { get; init; }
    /// <summary>One of <see cref="DeadLetterReasons"/>.</summary>
    [Id(1)] public required string Reason { get; init; }
    /// <summary>The HTTP status PostHog answered with, when there was one.</summary>
    [Id(2)] public int? Status { get; init; }
    [Id(3)] public required DateTimeOffset FailedAt { get; init; }
    [Id(4)] public int Attempts { get; init; }
}
