using System.Buffers;
using System.Text.Json;

using BroadcastGrains.Traces;

namespace BroadcastGrains.Ingestion;

/// <summary>
/// Parses and validates an ingest body (one record or an array of them) in a single forward pass over the
/// UTF-8 bytes. Nested parts that are only forwarded (messages, choices, tools, trace) are sliced out raw
/// instead of being materialised, which keeps the per-record cost close to one scan of its bytes.
/// </summary>
/// <remarks>
/// Everything in a record must be sendable, including what is only forwarded or skipped: the reader itself
/// accepts invalid UTF-8, unpaired surrogate escapes and <c>1e400</c>, which <c>GetString</c> or PostHog then
/// refuse. Text is checked once for the whole body (<see cref="JsonTextChecks.IsSoundText"/>); numbers are
/// checked as the pass meets them (the skips below look at every token). Either finding sends the body through
/// <see cref="BadValueLocator"/>, which names the fields. Parse never throws.
/// </remarks>
public static class TraceBatchParser
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 256,
    };

    public static TraceBatch Parse(ReadOnlySpan<byte> json, DateTimeOffset receivedAt, int maxRecords = TraceLimits.MaxRecordsPerRequest)
    {
        var batch = new TraceBatch();
        if (!JsonTextChecks.IsSoundText(json))
        {
            // GetString would throw on such text, so the record pass does not run; the errors name the strings.
            if (BadValueLocator.Locate(json, ReaderOptions, batch) == 0)
                batch.Errors.Add(new FieldError("body", "is not valid UTF-8 JSON text"));
            return Finish(batch);
        }
        var reader = new Utf8JsonReader(json, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        try
        {
            if (!reader.Read())
            {
                batch.Errors.Add(new FieldError("body", "must be a trace record object or an array of them"));
                return batch;
            }
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                ParseRecord(json, ref reader, "", receivedAt, batch);
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (index >= maxRecords)
                    {
                        batch.TooManyRecords = true;
                        batch.Records.Clear();
                        return batch;
                    }
                    var prefix = "[" + index + "]";
                    if (reader.TokenType == JsonTokenType.StartObject)
                        ParseRecord(json, ref reader, prefix + ".", receivedAt, batch);
                    else
                    {
                        batch.Errors.Add(new FieldError(prefix, "must be a trace record object"));
                        Skip(ref reader, batch);
                    }
                    index++;
                }
            }
            else
            {
                batch.Errors.Add(new FieldError("body", "must be a trace record object or an array of them"));
                return batch;
            }
            if (reader.Read())
                batch.Errors.Add(new FieldError("body", "has content after the end of the JSON value"));
            else if (batch.HasNumberOutOfRange && BadValueLocator.Locate(json, ReaderOptions, batch) == 0 && batch.Errors.Count == 0)
                batch.Errors.Add(new FieldError("body", "holds a number out of range"));
        }
        catch (JsonException ex)
        {
            batch.Errors.Add(BodyError(ex));
        }
        return Finish(batch);
    }

    internal static FieldError BodyError(JsonException ex) =>
        new("body", $"is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}): {ex.Message}");

    private static TraceBatch Finish(TraceBatch batch)
    {
        // Records parsed before a bad one must not escape: the batch is records or errors, never both.
        if (batch.Errors.Count > 0) batch.Records.Clear();
        if (batch.Errors.Count > TraceLimits.MaxReportedErrors)
            batch.Errors.RemoveRange(TraceLimits.MaxReportedErrors, batch.Errors.Count - TraceLimits.MaxReportedErrors);
        return batch;
    }

    private static void ParseRecord(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string prefix, DateTimeOffset receivedAt, TraceBatch batch)
    {
        var start = (int)reader.TokenStartIndex;
        var errorsBefore = batch.Errors.Count;
        var r = new RecordFields();

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("workspace_id"u8)) r.WorkspaceId = ReadString(ref reader, prefix, "workspace_id", batch);
            else if (reader.ValueTextEquals("generation_id"u8)) r.GenerationId = ReadString(ref reader, prefix, "generation_id", batch);
            else if (reader.ValueTextEquals("created_at"u8)) r.CreatedAt = ReadTimestamp(ref reader, prefix, "created_at", batch);
            else if (reader.ValueTextEquals("request"u8)) ParseRequest(json, ref reader, prefix, ref r, batch);
            else if (reader.ValueTextEquals("response"u8)) ParseResponse(json, ref reader, prefix, ref r, batch);
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

    private static void ParseRequest(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string prefix, ref RecordFields r, TraceBatch batch)
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

    private static void ParseResponse(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string prefix, ref RecordFields r, TraceBatch batch)
    {
        if (!EnterObject(ref reader, prefix, "response", batch)) return;
        r.SawResponse = true;
        var p = prefix + "response.";
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8)) r.ResponseModel = ReadString(ref reader, p, "model", batch);
            else if (reader.ValueTextEquals("provider"u8)) r.ResponseProvider = ReadString(ref reader, p, "provider", batch);
            else if (reader.ValueTextEquals("choices"u8)) ParseChoices(json, ref reader, p, ref r, batch);
            else if (reader.ValueTextEquals("usage"u8)) ParseUsage(ref reader, p, ref r, batch);
            else SkipValue(ref reader, batch);
        }
    }

    private static void ParseChoices(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string prefix, ref RecordFields r, TraceBatch batch)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            batch.Errors.Add(new FieldError(prefix + "choices", "must be an array"));
            Skip(ref reader, batch);
            return;
        }
        ArrayBufferWriter<byte>? output = null;
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                batch.Errors.Add(new FieldError($"{prefix}choices[{index}]", "must be an object"));
                Skip(ref reader, batch);
                index++;
                continue;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        var start = (int)reader.TokenStartIndex;
                        Skip(ref reader, batch);
                        output ??= new ArrayBufferWriter<byte>(256);
                        output.Write(output.WrittenCount == 0 ? "["u8 : ","u8);
                        output.Write(json[start..(int)reader.BytesConsumed]);
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        batch.Errors.Add(new FieldError($"{prefix}choices[{index}].message", "must be an object"));
                        Skip(ref reader, batch);
                    }
                }
                else if (index == 0 && reader.ValueTextEquals("finish_reason"u8))
                    r.StopReason = ReadString(ref reader, prefix, $"choices[{index}].finish_reason", batch);
                else SkipValue(ref reader, batch);
            }
            index++;
        }
        if (output is not null)
        {
            output.Write("]"u8);
            r.ChoicesJson = output.WrittenSpan.ToArray();
        }
    }

    private static void ParseUsage(ref Utf8JsonReader reader, string prefix, ref RecordFields r, TraceBatch batch)
    {
        if (!EnterObject(ref reader, prefix, "usage", batch)) return;
        var p = prefix + "usage.";
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8)) r.PromptTokens = ReadCount(ref reader, p, "prompt_tokens", batch);
            else if (reader.ValueTextEquals("completion_tokens"u8)) r.CompletionTokens = ReadCount(ref reader, p, "completion_tokens", batch);
            else if (reader.ValueTextEquals("cost"u8)) r.Cost = ReadNonNegative(ref reader, p, "cost", batch);
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                if (!EnterObject(ref reader, p, "prompt_tokens_details", batch)) continue;
                var d = p + "prompt_tokens_details.";
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("cached_tokens"u8)) r.CachedTokens = ReadCount(ref reader, d, "cached_tokens", batch);
                    else if (reader.ValueTextEquals("cache_write_tokens"u8)) r.CacheWriteTokens = ReadCount(ref reader, d, "cache_write_tokens", batch);
                    else SkipValue(ref reader, batch);
                }
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                if (!EnterObject(ref reader, p, "completion_tokens_details", batch)) continue;
                var d = p + "completion_tokens_details.";
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("reasoning_tokens"u8)) r.ReasoningTokens = ReadCount(ref reader, d, "reasoning_tokens", batch);
                    else SkipValue(ref reader, batch);
                }
            }
            else SkipValue(ref reader, batch);
        }
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

    private static void SkipValue(ref Utf8JsonReader reader, TraceBatch batch)
    {
        reader.Read();
        Skip(ref reader, batch);
    }

    /// <summary>
    /// <see cref="Utf8JsonReader.Skip"/> that also looks at each number it passes: what is skipped or forwarded
    /// raw is still part of the record. Costs what Skip costs (it reads every token too) plus a type test.
    /// </summary>
    private static void Skip(ref Utf8JsonReader reader, TraceBatch batch)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            if (reader.TokenType == JsonTokenType.Number) CheckNumber(ref reader, batch);
            return;
        }
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.Number) CheckNumber(ref reader, batch);
        }
    }

    /// <summary>Only notes the finding: the path of a number deep in a skipped part is worked out afterwards.</summary>
    private static void CheckNumber(ref Utf8JsonReader reader, TraceBatch batch)
    {
        if (JsonTextChecks.IsNumberOutOfRange(ref reader)) batch.HasNumberOutOfRange = true;
    }

    /// <summary>Reads a property's value: true at the start of an object; false for null, or (reported) anything else.</summary>
    private static bool EnterObject(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject) return true;
        if (reader.TokenType != JsonTokenType.Null)
        {
            batch.Errors.Add(new FieldError(prefix + name, "must be an object"));
            Skip(ref reader, batch);
        }
        return false;
    }

    private static string? ReadString(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        if (reader.TokenType != JsonTokenType.Null)
        {
            batch.Errors.Add(new FieldError(prefix + name, "must be a string"));
            Skip(ref reader, batch);
        }
        return null;
    }

    /// <summary>Trace identifiers are free-form metadata: numbers are taken as their text, other kinds ignored.</summary>
    private static string? ReadIdentifier(ref Utf8JsonReader reader, TraceBatch batch)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                CheckNumber(ref reader, batch);
                return System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            default:
                Skip(ref reader, batch);
                return null;
        }
    }

    private static DateTimeOffset? ReadTimestamp(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var value)) return value.ToUniversalTime();
        batch.Errors.Add(new FieldError(prefix + name, "must be an ISO 8601 date-time string"));
        Skip(ref reader, batch);
        return null;
    }

    private static double? ReadNumber(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && double.IsFinite(value)) return value;
        if (reader.TokenType != JsonTokenType.Null)
        {
            batch.Errors.Add(new FieldError(prefix + name, reader.TokenType == JsonTokenType.Number
                ? "is a number out of range (beyond what a double can hold)"
                : "must be a number"));
            Skip(ref reader, batch);
        }
        return null;
    }

    private static double? ReadNonNegative(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
    {
        var value = ReadNumber(ref reader, prefix, name, batch);
        if (value < 0)
        {
            batch.Errors.Add(new FieldError(prefix + name, "must not be negative"));
            return null;
        }
        return value;
    }

    private static long? ReadCount(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0) return value;
        if (reader.TokenType != JsonTokenType.Null)
        {
            batch.Errors.Add(new FieldError(prefix + name, "must be a non-negative integer"));
            Skip(ref reader, batch);
        }
        return null;
    }

    private static int? ReadStatus(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) && value is >= 100 and <= 599) return value;
        if (reader.TokenType != JsonTokenType.Null)
        {
            batch.Errors.Add(new FieldError(prefix + name, "must be an HTTP status code (100-599)"));
            Skip(ref reader, batch);
        }
        return null;
    }

    private static bool? ReadBool(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
    {
        reader.Read();
        if (reader.TokenType is JsonTokenType.True or JsonTokenType.False) return reader.GetBoolean();
        if (reader.TokenType != JsonTokenType.Null)
        {
            batch.Errors.Add(new FieldError(prefix + name, "must be true or false"));
            Skip(ref reader, batch);
        }
        return null;
    }

    private static byte[]? ReadRaw(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string prefix, string name, JsonTokenType expected, TraceBatch batch)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType != expected)
        {
            batch.Errors.Add(new FieldError(prefix + name, expected == JsonTokenType.StartArray ? "must be an array" : "must be an object"));
            Skip(ref reader, batch);
            return null;
        }
        Skip(ref reader, batch);
        return json[start..(int)reader.BytesConsumed].ToArray();
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

    /// <summary>Scratch space for one record while its properties arrive in any order.</summary>
    private struct RecordFields
    {
        public string? WorkspaceId, GenerationId, RequestModel, ResponseModel, Provider, ResponseProvider;
        public string? User, SessionId, TraceId, GenerationName, ParentSpanId, Prompt, StopReason, ErrorMessage;
        public DateTimeOffset? CreatedAt;
        public byte[]? TraceJson, MessagesJson, ChoicesJson, ToolsJson;
        public long? PromptTokens, CompletionTokens, CachedTokens, CacheWriteTokens, ReasoningTokens, MaxTokens, MaxCompletionTokens;
        public double? Cost, LatencyMs, TtftMs, Temperature;
        public int? Status, ErrorCode;
        public bool? Stream;
        public bool SawRequest, SawResponse, ErrorPresent;
    }
}
