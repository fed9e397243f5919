using System.Text.Json.Serialization;

namespace BroadcastGrains.PostHog.Connection;

public sealed record FlagsProbe(
    [property: JsonPropertyName("api_key")] string ApiKey,
    [property: JsonPropertyName("distinct_id")] string DistinctId);
