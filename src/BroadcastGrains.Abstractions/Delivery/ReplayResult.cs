namespace BroadcastGrains.Delivery;

/// <summary>
/// What one replay did: <see cref="Replayed"/> dead letters became pending events again; <see cref="Remaining"/>
/// replayable ones are still dead letters (the backlog had no more room), so the caller replays again later.
/// Dead letters without a payload are never replayable and are not counted here.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct ReplayResult
{
    [Id(0)] public int Replayed { get; init; }
    [Id(1)] public long Remaining { get; init; }
}
