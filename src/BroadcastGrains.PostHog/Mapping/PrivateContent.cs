using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BroadcastGrains.PostHog.Mapping;

/// <summary>
/// Takes prompt and completion text out of an event mapped before its destination went into privacy mode, so that
/// events already waiting when the user switched it on never carry text to PostHog either. Events mapped in
/// privacy mode have neither property and pass through untouched (one vectorised search each).
/// </summary>
public static class PrivateContent
{
    private static readonly JsonSerializerOptions WriteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ReadOnlyMemory<byte> Strip(ReadOnlyMemory<byte> eventJson)
    {
        var span = eventJson.Span;
        if (span.IndexOf("\"$ai_input\""u8) < 0 && span.IndexOf("\"$ai_output_choices\""u8) < 0) return eventJson;
        // Rare (events queued before the switch): a plain rewrite is fast enough.
        var node = JsonNode.Parse(span)!.AsObject();
        if (node["properties"] is JsonObject properties)
        {
            properties.Remove("$ai_input");
            properties.Remove("$ai_output_choices");
        }
        return JsonSerializer.SerializeToUtf8Bytes(node, WriteOptions);
    }
}
