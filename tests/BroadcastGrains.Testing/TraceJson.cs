using System.Text.Json.Nodes;

namespace BroadcastGrains.Testing;

/// <summary>Trace records as callers send them (CONTRACT §4).</summary>
public static class TraceJson
{
    /// <summary>
    /// The contract's seed example as text, for a given workspace and generation; with <c>ws_123</c> and
    /// <c>gen-1732612345-abc</c> it is the record of CONTRACT §4 verbatim.
    /// </summary>
    public static string SeedText(string workspace, string generation) => $$$$"""
        {
          "workspace_id": "{{{{workspace}}}}",
          "generation_id": "{{{{generation}}}}",
          "created_at": "2026-11-26T12:00:00.000Z",
          "request": {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "Recommend a product..."}],
                      "user": "user_12345", "session_id": "session_abc",
                      "trace": {"trace_name": "Product Recommendations", "generation_name": "Generate Recommendation",
                                "feature": "shopping-assistant", "ab_test_group": "variant_b"},
                      "temperature": 0.7, "max_tokens": 500, "stream": false, "tools": []},
          "response": {"id": "{{{{generation}}}}", "model": "openai/gpt-4o-2024-08-06", "provider": "OpenAI",
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": "Try..."}, "finish_reason": "stop"}],
                       "usage": {"prompt_tokens": 194, "completion_tokens": 52, "total_tokens": 246, "cost": 0.00123,
                                 "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                                 "completion_tokens_details": {"reasoning_tokens": 0}}},
          "provider": "OpenAI", "latency_ms": 1234, "time_to_first_token_ms": 210, "status": 200, "error": null
        }
        """;

    /// <summary>The contract's seed example, for a given workspace and generation.</summary>
    public static JsonObject Seed(string workspace, string generation) => JsonNode.Parse(SeedText(workspace, generation))!.AsObject();

    public static string Minimal(string workspace, string generation) =>
        $$$"""{"workspace_id":"{{{workspace}}}","generation_id":"{{{generation}}}","request":{"model":"m"}}""";

    public static string Array(IEnumerable<string> records) => "[" + string.Join(",", records) + "]";
}
