using System.Text.Json;

namespace BroadcastGrains.PostHog.Mapping;

/// <summary>
/// Re-writes one JSON value token by token, so nested caller data can be depth-capped or shortened without
/// building a document tree.
/// </summary>
internal static class JsonValueCopier
{
    /// <summary>Replaces a container nested too deeply.</summary>
    public static ReadOnlySpan<byte> TruncatedMarker => "[truncated]"u8;

    /// <summary>Appended to a shortened string so a reader in PostHog sees the text was cut.</summary>
    public static ReadOnlySpan<byte> TruncatedSuffix => "…[truncated]"u8;

    /// <summary>
    /// The front end parsed this JSON with the same limits; the writer's own depth limit (1000) is the only
    /// other bound, so the reader must not fail earlier than the writer would.
    /// </summary>
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 1000 };

    [ThreadStatic] private static byte[]? t_scratch;

    /// <summary>
    /// Copies the value whose first token the reader is on and leaves the reader on its last token.
    /// </summary>
    /// <param name="truncateContainersAtDepth">An object or array whose reader depth is at least this is
    /// written as <see cref="TruncatedMarker"/>; scalars are kept at any depth.</param>
    /// <param name="maxStringBytes">Strings longer than this many UTF-8 bytes are cut to it, plus
    /// <see cref="TruncatedSuffix"/>.</param>
    /// <returns>True when anything was cut or replaced.</returns>
    public static bool Copy(ref Utf8JsonReader reader, Utf8JsonWriter writer, int truncateContainersAtDepth, int maxStringBytes)
    {
        var startDepth = reader.CurrentDepth;
        var changed = false;
        while (true)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    if (reader.CurrentDepth >= truncateContainersAtDepth)
                    {
                        writer.WriteStringValue(TruncatedMarker);
                        reader.Skip();
                        changed = true;
                    }
                    else if (reader.TokenType == JsonTokenType.StartObject) writer.WriteStartObject();
                    else writer.WriteStartArray();
                    break;
                case JsonTokenType.EndObject:
                    writer.WriteEndObject();
                    break;
                case JsonTokenType.EndArray:
                    writer.WriteEndArray();
                    break;
                case JsonTokenType.PropertyName:
                    writer.WritePropertyName(Unescaped(ref reader));
                    break;
                case JsonTokenType.String:
                    changed |= WriteString(ref reader, writer, maxStringBytes);
                    break;
                case JsonTokenType.Number:
                    // Verbatim keeps the caller's exact digits (no double round trip); the reader already validated them.
                    writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                    break;
                case JsonTokenType.True:
                    writer.WriteBooleanValue(true);
                    break;
                case JsonTokenType.False:
                    writer.WriteBooleanValue(false);
                    break;
                case JsonTokenType.Null:
                    writer.WriteNullValue();
                    break;
                default:
                    throw new JsonException($"Unexpected token {reader.TokenType} in trace JSON.");
            }

            if (reader.CurrentDepth == startDepth && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                return changed;
            if (!reader.Read()) throw new JsonException("Trace JSON ended inside a value.");
        }
    }

    /// <summary>
    /// The current string or property name as raw UTF-8, escapes resolved. Valid until the next call on this
    /// thread.
    /// </summary>
    public static ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped) return reader.ValueSpan;
        var scratch = Scratch(reader.ValueSpan.Length);
        var length = reader.CopyString(scratch);
        return scratch.AsSpan(0, length);
    }

    private static bool WriteString(ref Utf8JsonReader reader, Utf8JsonWriter writer, int maxStringBytes)
    {
        // Unescaping never lengthens a string, so a short escaped form needs no closer look.
        if (reader.ValueSpan.Length <= maxStringBytes)
        {
            writer.WriteStringValue(Unescaped(ref reader));
            return false;
        }

        var value = Unescaped(ref reader);
        if (value.Length <= maxStringBytes)
        {
            writer.WriteStringValue(value);
            return false;
        }

        var cut = maxStringBytes;
        while (cut > 0 && (value[cut] & 0xC0) == 0x80) cut--; // never split a UTF-8 sequence

        var suffix = TruncatedSuffix;
        // Unescaped may already live in the scratch buffer; the shortened copy goes to a separate one.
        var shortened = ShortScratch(cut + suffix.Length);
        value[..cut].CopyTo(shortened);
        suffix.CopyTo(shortened.AsSpan(cut));
        writer.WriteStringValue(shortened.AsSpan(0, cut + suffix.Length));
        return true;
    }

    [ThreadStatic] private static byte[]? t_shortScratch;

    // Large buffers are not kept: one 2 MB message should not pin 2 MB on every thread that ever mapped it.
    private const int MaxRetainedScratch = 64 * 1024;

    private static byte[] Scratch(int size) => Rent(ref t_scratch, size);

    private static byte[] ShortScratch(int size) => Rent(ref t_shortScratch, size);

    private static byte[] Rent(ref byte[]? cached, int size)
    {
        if (cached is not null && cached.Length >= size) return cached;
        var buffer = new byte[Math.Max(size, 256)];
        if (buffer.Length <= MaxRetainedScratch) cached = buffer;
        return buffer;
    }
}
