using BroadcastGrains.Destinations;

namespace BroadcastGrains.Host.Destinations;

public sealed record DestinationResponse(
    string Id,
    string Type,
    string Name,
    bool Enabled,
    bool PrivacyMode,
    double SamplingRate,
    DestinationConfigResponse Config,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DeliveryResponse Delivery)
{
    public static DestinationResponse From(DestinationView v) => new(
        v.Id, "posthog", v.Name, v.Enabled, v.PrivacyMode, v.SamplingRate,
        new DestinationConfigResponse(v.MaskedApiKey, v.Endpoint),
        v.CreatedAt, v.UpdatedAt,
        new DeliveryResponse(
            v.Delivery.State, v.Delivery.Pending, v.Delivery.OldestPendingAgeSeconds, v.Delivery.Delivered,
            v.Delivery.DeadLettered, v.Delivery.DeadLettersDropped, v.Delivery.SampledOut, v.Delivery.ConsecutiveFailures,
            v.Delivery.LastSuccessAt, v.Delivery.LastError, v.Delivery.NextAttemptAt));
}

public sealed record DestinationConfigResponse(string ApiKey, string Endpoint);

public sealed record DeliveryResponse(
    string State,
    long Pending,
    double? OldestPendingAgeSeconds,
    long Delivered,
    long DeadLettered,
    long DeadLettersDropped,
    long SampledOut,
    int ConsecutiveFailures,
    DateTimeOffset? LastSuccessAt,
    string? LastError,
    DateTimeOffset? NextAttemptAt);

public sealed record DestinationListResponse(IReadOnlyList<DestinationResponse> Destinations);

public sealed record ConnectionOkResponse(bool Ok);

public sealed record DeadLetterResponse(string GenerationId, string Reason, int? Status, DateTimeOffset FailedAt, int Attempts);

public sealed record DeadLetterListResponse(IReadOnlyList<DeadLetterResponse> DeadLetters);

/// <summary><c>requeued</c> is v1's name for <c>replayed</c>, kept for existing clients.</summary>
public sealed record ReplayResponse(int Replayed, long Remaining, int Requeued);
