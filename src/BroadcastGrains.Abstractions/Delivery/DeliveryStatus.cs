namespace BroadcastGrains.Delivery;

[GenerateSerializer, Immutable]
public sealed record DeliveryStatus
{
    /// <summary>healthy, retrying, paused (the destination rejected the key) or disabled (by the user).</summary>
    [Id(0)] public required string State { get; init; }
    [Id(1)] public long Pending { get; init; }
    [Id(2)] public double? OldestPendingAgeSeconds { get; init; }
    [Id(3)] public long Delivered { get; init; }
    [Id(4)] public long DeadLettered { get; init; }
    [Id(5)] public long SampledOut { get; init; }
    [Id(6)] public int ConsecutiveFailures { get; init; }
    [Id(7)] public DateTimeOffset? LastSuccessAt { get; init; }
    [Id(8)] public string? LastError { get; init; }
    [Id(9)] public DateTimeOffset? NextAttemptAt { get; init; }
    /// <summary>
    /// Dead letters that fell out of storage (the oldest first) because the destination had more than
    /// <c>Broadcast:Delivery:MaxDeadLetters</c> or they were older than <c>DeadLetterRetention</c>: counted, never silent.
    /// </summary>
    [Id(10)] public long DeadLettersDropped { get; init; }
}
