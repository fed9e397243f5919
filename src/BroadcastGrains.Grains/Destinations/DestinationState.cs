using BroadcastGrains.Destinations;

namespace BroadcastGrains.Grains.Destinations;

[GenerateSerializer]
public sealed class DestinationState
{
    [Id(0)] public DestinationConfig? Config { get; set; }
    [Id(1)] public int Version { get; set; }
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(4)] public long Delivered { get; set; }
    [Id(5)] public long SampledOut { get; set; }
    /// <summary>Survives restarts so that a rejected key is not hammered by every new activation.</summary>
    [Id(7)] public bool Paused { get; set; }
    [Id(8)] public string? LastError { get; set; }
    [Id(9)] public DateTimeOffset? LastSuccessAt { get; set; }
    /// <summary>The workspace's switch is off (stored negated so that state saved before it existed reads as on).</summary>
    [Id(10)] public bool BroadcastOff { get; set; }
}
