using System.Text.Json;
using System.Text.Unicode;

namespace BroadcastGrains.Ingestion;

/// <summary>
/// What <see cref="Utf8JsonReader"/> lets through but PostHog (and <c>GetString</c>) cannot take: strings that are not
/// valid UTF-8 or hold an unpaired surrogate escape (the reader checks neither; <c>GetString</c> and
/// <c>CopyString</c> then throw), and numbers no double can hold (the reader accepts <c>1e400</c>).
/// </summary>
public static class JsonTextChecks
{
    /// <summary>
    /// Whether every string of <paramref name="json"/> is sound text, checked on the whole body at once: two
    /// vectorised scans instead of a check per string token. A body that fails is not necessarily bad JSON text
    /// (a wrong byte may sit outside any string); the caller then walks it to find out where.
    /// </summary>
    public static bool IsSoundText(ReadOnlySpan<byte> json) =>
        Utf8.IsValid(json) && IndexOfLoneSurrogateEscape(json) < 0;

    /// <summary>
    /// The index of the backslash of the first <c>\uD800</c>-<c>\uDFFF</c> escape that is not half of a high-low
    /// pair, or -1. Works on a whole JSON text as well as on one escaped string value: in JSON a backslash
    /// occurs only inside strings, and there each one starts an escape, so reading escapes from left to right
    /// never falls out of step. Malformed escapes are skipped; the reader rejects them itself.
    /// </summary>
    public static int IndexOfLoneSurrogateEscape(ReadOnlySpan<byte> text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var at = text[i..].IndexOf((byte)'\\');
            if (at < 0) return -1;
            i += at;
            if (i + 1 >= text.Length) return -1;
            if (text[i + 1] != (byte)'u' || !TryHex4(text, i + 2, out var unit))
            {
                i += 2;
                continue;
            }
            if (unit is < 0xD800 or > 0xDFFF)
            {
                i += 6;
                continue;
            }
            if (unit >= 0xDC00) return i;
            if (i + 7 < text.Length && text[i + 6] == (byte)'\\' && text[i + 7] == (byte)'u'
                && TryHex4(text, i + 8, out var low) && low is >= 0xDC00 and <= 0xDFFF)
            {
                i += 12;
                continue;
            }
            return i;
        }
        return -1;
    }

    /// <summary>
    /// True when the reader's number token is beyond what a double (and so PostHog's JSON parser) can hold.
    /// Only a number with an exponent or of 309 characters or more can be; the rest are passed without parsing.
    /// </summary>
    public static bool IsNumberOutOfRange(ref Utf8JsonReader reader)
    {
        var span = reader.ValueSpan;
        if (span.Length < 309 && span.IndexOfAny((byte)'e', (byte)'E') < 0) return false;
        return !(reader.TryGetDouble(out var value) && double.IsFinite(value));
    }

    private static bool TryHex4(ReadOnlySpan<byte> text, int start, out int value)
    {
        value = 0;
        if (start + 4 > text.Length) return false;
        for (var k = start; k < start + 4; k++)
        {
            var digit = HexValue(text[k]);
            if (digit < 0) return false;
            value = (value << 4) | digit;
        }
        return true;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
