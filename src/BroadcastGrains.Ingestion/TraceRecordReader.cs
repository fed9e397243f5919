using System.Buffers;
using System.Text.Json;

using BroadcastGrains.Traces;

using static BroadcastGrains.Ingestion.FieldValueReader;

namespace BroadcastGrains.Ingestion;

/// <summary>
/// One record of an ingest body: its top-level fields, the required-field rules and the <see cref="TraceRecord"/>
/// built from them. The request and the response are read by <see cref="TraceRequestReader"/> and
/// <see cref="TraceResponseReader"/> into the same <see cref="RecordFields"/>.
/// </summary>
internal static class TraceRecordReader
{
    public static void ParseRecord(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string prefix, DateTimeOffset receivedAt, TraceBatch batch)
    {
        var start = (int)reader.TokenStartIndex;
        var errorsBefore = batch.Errors.Count;
        var r = new RecordFields();

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("workspace_id"u8)) r.WorkspaceId = ReadString(ref reader, prefix, "workspace_id", batch);
            else if (reader.ValueTextEquals("generation_id"u8)) r.GenerationId = ReadString(ref reader, prefix, "generation_id", batch);
            else if (reader.ValueTextEquals("created_at"u8)) r.CreatedAt = ReadTimestamp(ref reader, prefix, "created_at", batch);
            else if (reader.ValueTextEquals("request"u8)) TraceRequestReader.ParseRequest(json, ref reader, prefix, ref r, batch);
            else if (reader.ValueTextEquals("response"u8)) TraceResponseReader.ParseResponse(json, ref reader, prefix, ref r, batch);
            else if (reader.ValueTextEquals("provider"u8)) r.Provider = ReadString(ref reader, prefix, "provider", batch);
            else if (reader.ValueTextEquals("latency_ms"u8)) r.LatencyMs = ReadNonNegative(ref reader, prefix, "latency_ms", batch);
            else if (reader.ValueTextEquals("time_to_first_token_ms"u8)) r.TtftMs = ReadNonNegative(ref reader, prefix, "time_to_first_token_ms", batch);
            else if (reader.ValueTextEquals("status"u8)) r.Status = ReadStatus(ref reader, prefix, "status", batch);
            else if (reader.ValueTextEquals("error"u8)) ParseError(ref reader, prefix, ref r, batch);
            else SkipValue(ref reader, batch);
        }
        var size = (int)(reader.BytesConsumed - start);

        if (r.WorkspaceId is null) Require(batch, errorsBefore, prefix + "workspace_id");
        else if (!WorkspaceId.IsValid(r.WorkspaceId)) batch.Errors.Add(new FieldError(prefix + "workspace_id", "must match ^[A-Za-z0-9_-]{1,64}$"));
        if (r.GenerationId is null) Require(batch, errorsBefore, prefix + "generation_id");
        else if (r.GenerationId.Length is 0 or > TraceLimits.MaxGenerationIdLength)
            batch.Errors.Add(new FieldError(prefix + "generation_id", "must be 1 to 128 characters"));
        if (!r.SawRequest) Require(batch, errorsBefore, prefix + "request");
        else if (string.IsNullOrEmpty(r.RequestModel) && !HasError(batch, errorsBefore, prefix + "request"))
            Require(batch, errorsBefore, prefix + "request.model");

        // Once any record is bad nothing is accepted, so stop building records.
        if (batch.Errors.Count > 0) return;

        var hasError = r.ErrorPresent || r.Status >= 400;
        batch.Records.Add(new TraceRecord
        {
            WorkspaceId = r.WorkspaceId!,
            GenerationId = r.GenerationId!,
            Timestamp = r.CreatedAt ?? receivedAt,
            RequestModel = r.RequestModel!,
            ResponseModel = r.ResponseModel,
            Provider = r.Provider ?? r.ResponseProvider,
            User = r.User,
            SessionId = r.SessionId,
            TraceId = r.TraceId,
            GenerationName = r.GenerationName,
            ParentSpanId = r.ParentSpanId,
            TraceJson = r.TraceJson,
            InputJson = r.MessagesJson ?? (r.Prompt is null ? null : PromptAsMessages(r.Prompt)),
            OutputChoicesJson = r.ChoicesJson,
            StopReason = r.StopReason,
            PromptTokens = r.PromptTokens,
            CompletionTokens = r.CompletionTokens,
            CachedTokens = r.CachedTokens,
            CacheWriteTokens = r.CacheWriteTokens,
            ReasoningTokens = r.ReasoningTokens,
            Cost = r.Cost,
            LatencyMs = r.LatencyMs,
            TimeToFirstTokenMs = r.TtftMs,
            HttpStatus = r.Status ?? (r.SawResponse ? 200 : r.ErrorCode),
            HasError = hasError,
            ErrorMessage = r.ErrorMessage,
            Temperature = r.Temperature,
            MaxTokens = r.MaxTokens ?? r.MaxCompletionTokens,
            Stream = r.Stream,
            ToolsJson = r.ToolsJson,
            SizeHint = size,
        });
    }

    /// <summary>"is required" only when the field has no error yet: a value of the wrong type already said so.</summary>
    private static void Require(TraceBatch batch, int from, string field)
    {
        if (!HasError(batch, from, field)) batch.Errors.Add(new FieldError(field, "is required"));
    }

    private static bool HasError(TraceBatch batch, int from, string field)
    {
        for (var i = from; i < batch.Errors.Count; i++)
        {
            if (batch.Errors[i].Field == field) return true;
        }
        return false;
    }

    private static void ParseError(ref Utf8JsonReader reader, string prefix, ref RecordFields r, TraceBatch batch)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return;
            case JsonTokenType.String:
                r.ErrorPresent = true;
                r.ErrorMessage = reader.GetString();
                return;
            case JsonTokenType.StartObject:
                r.ErrorPresent = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("message"u8)) r.ErrorMessage = ReadString(ref reader, prefix, "error.message", batch);
                    else if (reader.ValueTextEquals("code"u8))
                    {
                        reader.Read();
                        // Gateways send numeric HTTP codes or symbolic ones ("rate_limited"); only the former is a status.
                        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var code) && code is >= 100 and <= 599)
                            r.ErrorCode = code;
                        else
                            Skip(ref reader, batch);
                    }
                    else SkipValue(ref reader, batch);
                }
                return;
            default:
                batch.Errors.Add(new FieldError(prefix + "error", "must be an object, a string or null"));
                Skip(ref reader, batch);
                return;
        }
    }

    private static byte[] PromptAsMessages(string prompt)
    {
        var buffer = new ArrayBufferWriter<byte>(prompt.Length + 48);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("role"u8, "user"u8);
            writer.WriteString("content"u8, prompt);
            writer.WriteEndObject();
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
