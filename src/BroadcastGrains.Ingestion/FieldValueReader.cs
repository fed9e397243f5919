using System.Text.Json;

namespace BroadcastGrains.Ingestion;

/// <summary>
/// Reads one property value of an expected kind, or reports the field (prefix + name) and skips the value. Every
/// skip still looks at each number it passes (see <see cref="Skip"/>).
/// </summary>
internal static class FieldValueReader
{
    public static void SkipValue(ref Utf8JsonReader reader, TraceBatch batch)
    {
        reader.Read();
        Skip(ref reader, batch);
    }

    /// <summary>
    /// <see cref="Utf8JsonReader.Skip"/> that also looks at each number it passes: what is skipped or forwarded
    /// raw is still part of the record. Costs what Skip costs (it reads every token too) plus a type test.
    /// </summary>
    public static void Skip(ref Utf8JsonReader reader, TraceBatch batch)
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
    public static void CheckNumber(ref Utf8JsonReader reader, TraceBatch batch)
    {
        if (JsonTextChecks.IsNumberOutOfRange(ref reader)) batch.HasNumberOutOfRange = true;
    }

    /// <summary>Reads a property's value: true at the start of an object; false for null, or (reported) anything else.</summary>
    public static bool EnterObject(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
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

    public static string? ReadString(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
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
    public static string? ReadIdentifier(ref Utf8JsonReader reader, TraceBatch batch)
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

    public static DateTimeOffset? ReadTimestamp(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var value)) return value.ToUniversalTime();
        batch.Errors.Add(new FieldError(prefix + name, "must be an ISO 8601 date-time string"));
        Skip(ref reader, batch);
        return null;
    }

    public static double? ReadNumber(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
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

    public static double? ReadNonNegative(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
    {
        var value = ReadNumber(ref reader, prefix, name, batch);
        if (value < 0)
        {
            batch.Errors.Add(new FieldError(prefix + name, "must not be negative"));
            return null;
        }
        return value;
    }

    public static long? ReadCount(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
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

    public static int? ReadStatus(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
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

    public static bool? ReadBool(ref Utf8JsonReader reader, string prefix, string name, TraceBatch batch)
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

    public static byte[]? ReadRaw(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, string prefix, string name, JsonTokenType expected, TraceBatch batch)
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
}
