namespace BroadcastGrains.Destinations;

/// <summary>The unmasked config, for the front end to merge a PATCH into. Never returned over HTTP.</summary>
[GenerateSerializer, Immutable]
public sealed record DestinationSnapshot
{
    [Id(0)] public required DestinationConfig Config { get; init; }
    [Id(1)] public required int Version { get; init; }
}
