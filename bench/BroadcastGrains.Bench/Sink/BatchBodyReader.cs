using System.Text;
using System.Text.Json;

namespace BroadcastGrains.Bench.Sink;

/// <summary>
/// Reads a decompressed /batch/ body in one forward pass: the api_key and how many events the batch holds.
/// Events are skipped, not materialised, so the sink costs far less CPU than the programs it measures.
/// </summary>
public static class BatchBodyReader
{
    public const int MaxKeyChars = 256;

    /// <returns>False when the body is not a batch envelope with an api_key.</returns>
    public static bool TryRead(ReadOnlySpan<byte> json, Span<char> keyBuffer, out int keyLength, out int events)
    {
        keyLength = 0;
        events = 0;
        var sawKey = false;
        var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("api_key"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped) return false;
                    var raw = reader.ValueSpan;
                    if (raw.Length > keyBuffer.Length) return false;
                    keyLength = Encoding.UTF8.GetChars(raw, keyBuffer);
                    sawKey = true;
                }
                else if (reader.ValueTextEquals("batch"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return false;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        events++;
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return sawKey;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The api_key of a /flags/ probe body, or null.</summary>
    public static string? ReadFlagsKey(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("api_key"u8))
                    return reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Read();
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }
}
