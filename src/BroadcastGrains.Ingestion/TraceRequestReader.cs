using System.Text.Json;

using static BroadcastGrains.Ingestion.FieldValueReader;

namespace BroadcastGrains.Ingestion;

/// <summary>
/// A record's <c>request</c>: the model, the generation parameters, and the parts that are only forwarded
/// (messages, tools, and the <c>trace</c> metadata, whose identifiers are also read) as raw slices.
/// </summary>
internal static class TraceRequestReader
{
    public static void ParseRequest(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string prefix, ref RecordFields r, TraceBatch batch)
    {
        var before = batch.Errors.Count;
        // A request of the wrong type was seen (and reported); only an absent or null one is "required".
        r.SawRequest = EnterObject(ref reader, prefix, "request", batch) || batch.Errors.Count > before;
        if (batch.Errors.Count > before || !r.SawRequest) return;
        var p = prefix + "request.";
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8)) r.RequestModel = ReadString(ref reader, p, "model", batch);
            else if (reader.ValueTextEquals("messages"u8)) r.MessagesJson = ReadRaw(json, ref reader, p, "messages", JsonTokenType.StartArray, batch);
            else if (reader.ValueTextEquals("prompt"u8)) r.Prompt = ReadString(ref reader, p, "prompt", batch);
            else if (reader.ValueTextEquals("user"u8)) r.User = ReadString(ref reader, p, "user", batch);
            else if (reader.ValueTextEquals("session_id"u8)) r.SessionId = ReadString(ref reader, p, "session_id", batch);
            else if (reader.ValueTextEquals("trace"u8)) ParseTrace(json, ref reader, p, ref r, batch);
            else if (reader.ValueTextEquals("temperature"u8)) r.Temperature = ReadNumber(ref reader, p, "temperature", batch);
            else if (reader.ValueTextEquals("max_tokens"u8)) r.MaxTokens = ReadCount(ref reader, p, "max_tokens", batch);
            else if (reader.ValueTextEquals("max_completion_tokens"u8)) r.MaxCompletionTokens = ReadCount(ref reader, p, "max_completion_tokens", batch);
            else if (reader.ValueTextEquals("stream"u8)) r.Stream = ReadBool(ref reader, p, "stream", batch);
            else if (reader.ValueTextEquals("tools"u8)) r.ToolsJson = ReadRaw(json, ref reader, p, "tools", JsonTokenType.StartArray, batch);
            else SkipValue(ref reader, batch);
        }
    }

    private static void ParseTrace(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string prefix, ref RecordFields r, TraceBatch batch)
    {
        if (!EnterObject(ref reader, prefix, "trace", batch)) return;
        var start = (int)reader.TokenStartIndex;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("trace_id"u8)) r.TraceId = ReadIdentifier(ref reader, batch);
            else if (reader.ValueTextEquals("generation_name"u8)) r.GenerationName = ReadIdentifier(ref reader, batch);
            else if (reader.ValueTextEquals("parent_span_id"u8)) r.ParentSpanId = ReadIdentifier(ref reader, batch);
            else SkipValue(ref reader, batch);
        }
        r.TraceJson = json[start..(int)reader.BytesConsumed].ToArray();
    }
}
