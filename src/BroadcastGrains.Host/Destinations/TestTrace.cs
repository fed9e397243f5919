using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BroadcastGrains.Ingestion;
using BroadcastGrains.PostHog.Mapping;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Host.Destinations;

/// <summary>
/// The synthetic trace of "send a test trace" (CONTRACT §8.4): a record like the contract's example, parsed by the
/// same parser as <c>POST /v1/traces</c> and marked as a test (trace name "BroadcastGrains test trace" and the
/// metadata <c>broadcast_test: true</c>, which PostHog shows as an event property to filter on).
/// </summary>
public static class TestTrace
{
    public const string IdPrefix = "broadcast-test-";
    public const string TraceName = "BroadcastGrains test trace";

    /// <summary>
    /// Ample for the lowest sampling rate allowed (0.0001): the chance that no id is kept in this many tries is
    /// below e^-100.
    /// </summary>
    private const int MaxIdTries = 1_000_000;

    /// <summary>
    /// A generation id that the destination's own sampling keeps. The test trace goes through sampling like any
    /// other (the normal path), and the tenant still sees it arrive at any rate: records without a session are
    /// sampled by their generation id, which is ours to choose. Null only at a rate that keeps nothing.
    /// </summary>
    public static string? KeptId(string destinationId, double samplingRate)
    {
        if (samplingRate <= 0) return null;
        Span<byte> random = stackalloc byte[10];
        for (var i = 0; i < MaxIdTries; i++)
        {
            RandomNumberGenerator.Fill(random);
            var id = IdPrefix + Convert.ToHexStringLower(random);
            if (SessionSampler.Keep(destinationId, null, id, samplingRate)) return id;
        }
        return null;
    }

    public static TraceRecord Create(string workspaceId, string generationId, DateTimeOffset now)
    {
        // Both ids are ours and validated ([A-Za-z0-9_-]), so they need no JSON escaping.
        var json = $$$"""
            {"workspace_id": "{{{workspaceId}}}", "generation_id": "{{{generationId}}}",
             "created_at": "{{{now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}}}",
             "request": {"model": "openai/gpt-4o",
                         "messages": [{"role": "user", "content": "This is a test trace from the BroadcastGrains settings page. Does it reach PostHog?"}],
                         "user": "broadcastgrains-test",
                         "trace": {"trace_name": "{{{TraceName}}}", "generation_name": "Test trace", "broadcast_test": true},
                         "temperature": 0.7, "max_tokens": 100, "stream": false},
             "response": {"id": "{{{generationId}}}", "model": "openai/gpt-4o-2024-08-06", "provider": "OpenAI",
                          "choices": [{"index": 0, "message": {"role": "assistant", "content": "Yes: Broadcast to PostHog works."}, "finish_reason": "stop"}],
                          "usage": {"prompt_tokens": 21, "completion_tokens": 7, "total_tokens": 28, "cost": 0}},
             "provider": "OpenAI", "latency_ms": 420, "time_to_first_token_ms": 120, "status": 200, "error": null}
            """;
        var batch = TraceBatchParser.Parse(Encoding.UTF8.GetBytes(json), now);
        // A failure here is a bug of ours in the text above, found by the first test that sends a test trace.
        if (!batch.IsValid || batch.Records.Count != 1)
            throw new InvalidOperationException("The test trace does not parse: " + string.Join("; ", batch.Errors.Select(e => e.ToString())));
        return batch.Records[0];
    }
}
