using System.Text;
using System.Text.Json;
using BroadcastGrains.PostHog.Mapping;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Tests.Mapping;

/// <summary>Records built the way the front end builds them, and helpers to read the mapped event back.</summary>
internal static class MappingFixtures
{
    public static readonly EventMappingOptions Options = new("ws_123", "dst_abc", PrivacyMode: false, LibVersion: "0.1.0");

    public static readonly DateTimeOffset SeedTime = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Only the required fields.</summary>
    public static TraceRecord Minimal() => new()
    {
        WorkspaceId = "ws_123",
        GenerationId = "gen-1",
        Timestamp = SeedTime,
        RequestModel = "openai/gpt-4o",
    };

    public const string SeedInput = """[{"role": "user", "content": "Recommend a product..."}]""";
    public const string SeedOutput = """[{"role": "assistant", "content": "Try..."}]""";
    public const string SeedTrace = """{"trace_name": "Product Recommendations", "generation_name": "Generate Recommendation", "feature": "shopping-assistant", "ab_test_group": "variant_b"}""";

    /// <summary>The example record of CONTRACT §4, as the front end resolves it.</summary>
    public static TraceRecord Seed() => new()
    {
        WorkspaceId = "ws_123",
        GenerationId = "gen-1732612345-abc",
        Timestamp = SeedTime,
        RequestModel = "openai/gpt-4o",
        ResponseModel = "openai/gpt-4o-2024-08-06",
        Provider = "OpenAI",
        User = "user_12345",
        SessionId = "session_abc",
        TraceId = null,
        GenerationName = "Generate Recommendation",
        ParentSpanId = null,
        TraceJson = Utf8(SeedTrace),
        InputJson = Utf8(SeedInput),
        OutputChoicesJson = Utf8(SeedOutput),
        StopReason = "stop",
        PromptTokens = 194,
        CompletionTokens = 52,
        CachedTokens = 0,
        CacheWriteTokens = 0,
        ReasoningTokens = 0,
        Cost = 0.00123,
        LatencyMs = 1234,
        TimeToFirstTokenMs = 210,
        HttpStatus = 200,
        HasError = false,
        ErrorMessage = null,
        Temperature = 0.7,
        MaxTokens = 500,
        Stream = false,
        ToolsJson = Utf8("[]"),
    };

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static byte[] MapJson(TraceRecord record, EventMappingOptions? options = null)
    {
        var mapped = PostHogEventMapper.Map(record, options ?? Options);
        Assert.NotNull(mapped.Json);
        return mapped.Json;
    }

    public static JsonElement Event(TraceRecord record, EventMappingOptions? options = null)
    {
        using var doc = JsonDocument.Parse(MapJson(record, options));
        return doc.RootElement.Clone();
    }

    public static JsonElement Props(TraceRecord record, EventMappingOptions? options = null) =>
        Event(record, options).GetProperty("properties");

    /// <summary>Property names in order, duplicates included (JsonDocument keeps them).</summary>
    public static List<string> Names(JsonElement obj) => obj.EnumerateObject().Select(p => p.Name).ToList();

    public static void AssertAbsent(JsonElement obj, string name) =>
        Assert.False(obj.TryGetProperty(name, out _), $"'{name}' should be absent");

    /// <summary>Compares JSON structurally, ignoring the caller's whitespace.</summary>
    public static void AssertJsonEqual(string expected, JsonElement actual)
    {
        using var doc = JsonDocument.Parse(expected);
        Assert.True(JsonElement.DeepEquals(doc.RootElement, actual), $"expected {expected}, got {actual.GetRawText()}");
    }
}
