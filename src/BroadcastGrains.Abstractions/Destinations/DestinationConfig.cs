namespace BroadcastGrains.Destinations;

/// <summary>What a user configures for one PostHog destination. Stored as grain state.</summary>
[GenerateSerializer, Immutable]
public sealed record DestinationConfig
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string ApiKey { get; init; }
    [Id(2)] public required string Endpoint { get; init; }
    [Id(3)] public bool Enabled { get; init; } = true;
    [Id(4)] public bool PrivacyMode { get; init; }
    [Id(5)] public double SamplingRate { get; init; } = 1.0;

    /// <summary>Whether prompts and completions leave for PostHog through it, and so may be stored for it (CONTRACT §8.3).</summary>
    public bool SendsText => Enabled && !PrivacyMode;
}
