using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using BroadcastGrains.Traces;

namespace BroadcastGrains.PostHog.Mapping;

/// <summary>
/// Turns one trace record into one PostHog <c>$ai_generation</c> event (CONTRACT §6), written straight to UTF-8
/// so the caller's messages pass through without being materialised as objects.
/// </summary>
/// <remarks>
/// Empty strings count as absent: an empty trace id or user would otherwise become an empty
/// <c>distinct_id</c>, which PostHog rejects, failing the whole batch.
/// The caller's raw JSON parts are trusted to be valid JSON with sound text: <c>TraceBatchParser</c> (BroadcastGrains.Ingestion) made them
/// and refuses invalid UTF-8, unpaired surrogate escapes and numbers beyond a double. Verbatim parts are written
/// unchecked; parts re-written token by token throw <see cref="JsonException"/> or <see cref="InvalidOperationException"/>
/// if they are not valid after all.
/// </remarks>
public static class PostHogEventMapper
{
    /// <summary>
    /// Relaxed escaping keeps non-ASCII text as UTF-8 instead of six-byte \uXXXX escapes: a smaller event,
    /// and the output is JSON for an API, never embedded in HTML.
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The value of a trace key sits at reader depth 1 (level 1); containers at level 4 are cut.</summary>
    private const int MetadataContainerCutDepth = 4;

    /// <summary>Content written verbatim, whitespace and all.</summary>
    private const int Verbatim = -1;

    /// <summary>Content re-written token by token without any cut, which drops the caller's whitespace.</summary>
    private const int Compact = int.MaxValue;

    /// <summary>Per-string byte limits tried in turn; deterministic, so a retry produces the same event.</summary>
    private static ReadOnlySpan<int> StringLimits => [256 * 1024, 64 * 1024, 16 * 1024, 4 * 1024, 1024, 256, 64];

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public static MappedEvent Map(TraceRecord record, EventMappingOptions options) =>
        TryMap(record, options, out var json, out var truncated) ? new MappedEvent(json.ToArray(), truncated) : default;

    /// <summary>
    /// <see cref="Map"/> without the copy: <paramref name="json"/> is this thread's mapping buffer, valid until the
    /// next mapping on the thread, for a caller that stores the bytes somewhere of its own. False when the event
    /// cannot be made to fit (see <see cref="MappedEvent.Json"/>).
    /// </summary>
    public static bool TryMap(TraceRecord record, EventMappingOptions options, out ReadOnlySpan<byte> json, out bool truncated)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(options);

        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        try
        {
            var ctx = new Context(
                record,
                options,
                DeterministicUuid.ForEvent(options.WorkspaceId, options.DestinationId, record.GenerationId),
                NonEmpty(record.TraceJson) is { } trace && TraceKeyIndex.ForCurrentThread().Build(trace));

            var input = options.PrivacyMode ? null : NonEmpty(record.InputJson);
            var output = options.PrivacyMode ? null : NonEmpty(record.OutputChoicesJson);

            // Verbatim content as large as the cap cannot fit, so its write is skipped.
            if ((long)(input?.Length ?? 0) + (output?.Length ?? 0) < PostHogLimits.MaxEventBytes
                && Fits(Write(writer, buffer, ctx, input, output, Verbatim, truncated: false)))
                return Done(buffer, false, out json, out truncated);

            if (input is null && output is null) return Failed(out json, out truncated);

            if (Fits(Write(writer, buffer, ctx, input, output, Compact, truncated: false)))
                return Done(buffer, false, out json, out truncated);

            // Compact did not fit, so any of these that fits has really cut something: the flag is true.
            foreach (var limit in StringLimits)
            {
                if (Fits(Write(writer, buffer, ctx, input, output, limit, truncated: true)))
                    return Done(buffer, true, out json, out truncated);
            }

            // The input (often a long conversation history) goes before the output, the generation itself.
            if (input is not null && output is not null)
            {
                foreach (var limit in StringLimits)
                {
                    if (Fits(Write(writer, buffer, ctx, null, output, limit, truncated: true)))
                        return Done(buffer, true, out json, out truncated);
                }
            }

            if (Fits(Write(writer, buffer, ctx, null, null, Compact, truncated: true)))
                return Done(buffer, true, out json, out truncated);

            return Failed(out json, out truncated);
        }
        finally
        {
            if (buffer.Capacity > 2 * PostHogLimits.MaxEventBytes)
            {
                // Oversized events are rare; keeping their buffer on every thread would not be.
                t_buffer = null;
                t_writer = null;
            }
        }
    }

    private readonly record struct Context(TraceRecord Record, EventMappingOptions Options, Guid Uuid, bool HasMetadata);

    private static bool Fits(int size) => size <= PostHogLimits.MaxEventBytes;

    private static bool Done(ArrayBufferWriter<byte> buffer, bool wasTruncated, out ReadOnlySpan<byte> json, out bool truncated)
    {
        json = buffer.WrittenSpan;
        truncated = wasTruncated;
        return true;
    }

    private static bool Failed(out ReadOnlySpan<byte> json, out bool truncated)
    {
        json = default;
        truncated = false;
        return false;
    }

    private static byte[]? NonEmpty(byte[]? json) => json is { Length: > 0 } ? json : null;

    private static bool Has(string? value) => !string.IsNullOrEmpty(value);

    private static int Write(
        Utf8JsonWriter w,
        ArrayBufferWriter<byte> buffer,
        in Context ctx,
        byte[]? input,
        byte[]? output,
        int stringLimit,
        bool truncated)
    {
        buffer.ResetWrittenCount();
        w.Reset(buffer);

        var r = ctx.Record;
        var traceId = Has(r.TraceId) ? r.TraceId! : r.GenerationId;
        var anonymous = !Has(r.User);

        w.WriteStartObject();
        w.WriteString("event"u8, "$ai_generation"u8);
        w.WriteString("uuid"u8, ctx.Uuid);
        w.WriteString("distinct_id"u8, DistinctId.For(anonymous ? traceId : r.User!));
        WriteTimestamp(w, r.Timestamp);

        w.WriteStartObject("properties"u8);
        w.WriteString("$ai_trace_id"u8, traceId);
        w.WriteString("$ai_span_id"u8, r.GenerationId);
        WriteString(w, "$ai_span_name"u8, r.GenerationName);
        WriteString(w, "$ai_parent_id"u8, r.ParentSpanId);
        WriteString(w, "$ai_user"u8, r.User);
        WriteString(w, "$ai_session_id"u8, r.SessionId);
        w.WriteString("$ai_model"u8, Has(r.ResponseModel) ? r.ResponseModel : r.RequestModel);
        WriteString(w, "$ai_provider"u8, r.Provider);

        if (input is not null) WriteContent(w, "$ai_input"u8, input, stringLimit);
        if (output is not null) WriteContent(w, "$ai_output_choices"u8, output, stringLimit);

        WriteNumber(w, "$ai_input_tokens"u8, r.PromptTokens);
        WriteNumber(w, "$ai_output_tokens"u8, r.CompletionTokens);
        WriteNumber(w, "$ai_cache_read_input_tokens"u8, r.CachedTokens);
        WriteNumber(w, "$ai_cache_creation_input_tokens"u8, r.CacheWriteTokens);
        WriteNumber(w, "$ai_reasoning_tokens"u8, r.ReasoningTokens);
        // OpenRouter-style prompt_tokens already include cached tokens; without this PostHog would
        // subtract cache reads a second time for Anthropic models.
        w.WriteBoolean("$ai_cache_reporting_exclusive"u8, false);
        if (r.Cost is double cost && double.IsFinite(cost))
        {
            w.WriteNumber("$ai_total_cost_usd"u8, cost);
            // The gateway's cost is the tenant's bill; without this PostHog's ingestion replaces it with its own
            // estimate from model prices (CONTRACT §8.1).
            w.WriteBoolean("$ai_cost_passthrough"u8, true);
        }
        WriteNumber(w, "$ai_latency"u8, r.LatencyMs / 1000);
        WriteNumber(w, "$ai_time_to_first_token"u8, r.TimeToFirstTokenMs / 1000);
        WriteNumber(w, "$ai_http_status"u8, r.HttpStatus);
        // Both sources count, so a record whose front end saw only one of them is still an error.
        w.WriteBoolean("$ai_is_error"u8, r.HasError || r.HttpStatus >= 400);
        WriteString(w, "$ai_error"u8, r.ErrorMessage);
        WriteString(w, "$ai_stop_reason"u8, r.StopReason);
        WriteNumber(w, "$ai_temperature"u8, r.Temperature);
        WriteNumber(w, "$ai_max_tokens"u8, r.MaxTokens);
        if (r.Stream is bool stream) w.WriteBoolean("$ai_stream"u8, stream);
        if (NonEmpty(r.ToolsJson) is { } tools)
        {
            w.WritePropertyName("$ai_tools"u8);
            // Unchecked for the reason given in WriteContent.
            w.WriteRawValue(tools, skipInputValidation: true);
        }

        w.WriteString("$ai_lib"u8, "broadcastgrains"u8);
        WriteString(w, "$ai_lib_version"u8, ctx.Options.LibVersion);
        if (anonymous) w.WriteBoolean("$process_person_profile"u8, false);
        if (truncated) w.WriteBoolean("broadcast_truncated"u8, true);

        if (ctx.HasMetadata) WriteMetadata(w, r.TraceJson!);

        w.WriteEndObject();
        w.WriteEndObject();
        w.Flush();
        return buffer.WrittenCount;
    }

    private static void WriteTimestamp(Utf8JsonWriter w, DateTimeOffset timestamp)
    {
        Span<byte> text = stackalloc byte[32];
        timestamp.UtcDateTime.TryFormat(text, out var length, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        w.WriteString("timestamp"u8, text[..length]);
    }

    private static void WriteContent(Utf8JsonWriter w, ReadOnlySpan<byte> name, byte[] json, int stringLimit)
    {
        w.WritePropertyName(name);
        if (stringLimit == Verbatim)
        {
            // The writer's own check reads with a fixed depth limit of 64, below the 256 the front end allows, so a
            // record it accepted would throw here. The parser already read these bytes as JSON with sound text.
            w.WriteRawValue(json, skipInputValidation: true);
            return;
        }

        var reader = new Utf8JsonReader(json, JsonValueCopier.ReaderOptions);
        reader.Read();
        JsonValueCopier.Copy(ref reader, w, truncateContainersAtDepth: int.MaxValue, maxStringBytes: stringLimit);
    }

    /// <remarks>
    /// Every key of <c>request.trace</c> is sent as a property of its own, renamed when reserved and
    /// de-duplicated by <see cref="TraceKeyIndex"/>. Reserved names cover everything written above: the
    /// <c>$</c> ones by prefix, <c>broadcast_truncated</c> by name, so no property is ever written twice.
    /// </remarks>
    private static void WriteMetadata(Utf8JsonWriter w, byte[] traceJson)
    {
        var index = TraceKeyIndex.ForCurrentThread();
        var reader = new Utf8JsonReader(traceJson, JsonValueCopier.ReaderOptions);
        reader.Read();
        for (var i = 0; reader.Read() && reader.TokenType == JsonTokenType.PropertyName; i++)
        {
            reader.Read();
            if (index.IsShadowed(i))
            {
                reader.Skip();
                continue;
            }

            w.WritePropertyName(index.Name(i));
            JsonValueCopier.Copy(ref reader, w, MetadataContainerCutDepth, maxStringBytes: int.MaxValue);
        }
    }

    private static void WriteString(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (Has(value)) w.WriteString(name, value);
    }

    private static void WriteNumber(Utf8JsonWriter w, ReadOnlySpan<byte> name, long? value)
    {
        if (value is long v) w.WriteNumber(name, v);
    }

    private static void WriteNumber(Utf8JsonWriter w, ReadOnlySpan<byte> name, int? value)
    {
        if (value is int v) w.WriteNumber(name, v);
    }

    /// <summary>JSON has no NaN or infinity; such a value has no meaningful source and is omitted.</summary>
    private static void WriteNumber(Utf8JsonWriter w, ReadOnlySpan<byte> name, double? value)
    {
        if (value is double v && double.IsFinite(v)) w.WriteNumber(name, v);
    }
}
