namespace BroadcastGrains.Destinations;

/// <summary>What became of the records handed to one destination: every one is in exactly one count.</summary>
[GenerateSerializer, Immutable]
public readonly record struct EnqueueResult
{
    [Id(0)] public int Queued { get; init; }
    [Id(1)] public int SampledOut { get; init; }
    [Id(2)] public int DeadLettered { get; init; }
    /// <summary>The destination is disabled or gone: the records were not meant for it.</summary>
    [Id(3)] public int Skipped { get; init; }
}
