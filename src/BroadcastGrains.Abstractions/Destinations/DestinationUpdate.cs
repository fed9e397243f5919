namespace BroadcastGrains.Destinations;

/// <summary>A validated, tested replacement config, applied only if nobody changed the destination meanwhile.</summary>
[GenerateSerializer, Immutable]
public sealed record DestinationUpdate
{
    [Id(0)] public required DestinationConfig Config { get; init; }
    /// <summary>The <see cref="DestinationSnapshot.Version"/> the change was computed from.</summary>
    [Id(1)] public required int ExpectedVersion { get; init; }
}
