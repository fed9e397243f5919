using System.Buffers;
using System.Text.Json;

using static BroadcastGrains.Ingestion.FieldValueReader;

namespace BroadcastGrains.Ingestion;

/// <summary>
/// A record's <c>response</c>: the model and provider, the choices' messages spliced into one raw array, and the
/// token usage and cost.
/// </summary>
internal static class TraceResponseReader
{
    public static void ParseResponse(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string prefix, ref RecordFields r, TraceBatch batch)
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
}
