using BroadcastGrains.Delivery;

namespace BroadcastGrains.Destinations;

/// <summary>A destination as the API shows it: the key is already masked.</summary>
[GenerateSerializer, Immutable]
public sealed record DestinationView
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public required bool Enabled { get; init; }
    [Id(3)] public required bool PrivacyMode { get; init; }
    [Id(4)] public required double SamplingRate { get; init; }
    [Id(5)] public required string MaskedApiKey { get; init; }
    [Id(6)] public required string Endpoint { get; init; }
    [Id(7)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(8)] public required DateTimeOffset UpdatedAt { get; init; }
    [Id(9)] public required DeliveryStatus Delivery { get; init; }
}
