using System.Text.Json.Serialization;
using BroadcastGrains.PostHog.Connection;

namespace BroadcastGrains.PostHog;

[JsonSerializable(typeof(FlagsProbe))]
internal sealed partial class PostHogJsonContext : JsonSerializerContext;
