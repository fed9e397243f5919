using System.Text.Json;
using System.Text.Json.Serialization;
using BroadcastGrains.Host.Destinations;
using BroadcastGrains.Host.Health;
using BroadcastGrains.Host.Ingestion;
using BroadcastGrains.Host.SettingsSessions;
using BroadcastGrains.Host.Workspaces;

namespace BroadcastGrains.Host.Http;

/// <summary>Every body the API reads or writes; snake_case on the wire, nulls written (the contract shows them).</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(DestinationRequest))]
[JsonSerializable(typeof(DestinationResponse))]
[JsonSerializable(typeof(DestinationListResponse))]
[JsonSerializable(typeof(ConnectionOkResponse))]
[JsonSerializable(typeof(DeadLetterListResponse))]
[JsonSerializable(typeof(ReplayResponse))]
[JsonSerializable(typeof(TestEventResponse))]
[JsonSerializable(typeof(BroadcastSwitch))]
[JsonSerializable(typeof(BroadcastSwitchResponse))]
[JsonSerializable(typeof(IngestResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(SettingsSessionRequest))]
[JsonSerializable(typeof(SettingsSessionResponse))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
