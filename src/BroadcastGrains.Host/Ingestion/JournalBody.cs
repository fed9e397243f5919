using System.Buffers;
using System.Text.Json;

namespace BroadcastGrains.Host.Ingestion;

/// <summary>
/// What the ingest journal keeps of a request body (CONTRACT §8.3): prompt and completion text is stored only for
/// the workspaces that have a destination sending it. A record of a workspace without destinations (or with
/// broadcast off) is left out; a record whose destinations are all private or disabled keeps every field but
/// <c>request.messages</c>, <c>request.prompt</c> and each <c>response.choices[i].message</c>, which become
/// <c>null</c> — still a valid record, which replays to the same events those destinations send. Rewriting is a
/// second pass over the body, paid only by requests that hold such records.
/// </summary>
public static class JournalBody
{
    public enum Keep : byte
    {
        Whole,
        WithoutText,
        Nothing,
    }

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    /// <summary>
    /// Writes the journal's copy of a validated body into <paramref name="output"/> (always a JSON array), given what
    /// to keep of each record in body order. False when the body can be stored as it is (every record whole);
    /// <paramref name="records"/> is how many records the copy holds.
    /// </summary>
    public static bool Rewrite(ReadOnlySpan<byte> body, ReadOnlySpan<Keep> decisions, IBufferWriter<byte> output, out int records)
    {
        records = 0;
        if (!decisions.ContainsAnyExcept(Keep.Whole)) return false;
        var reader = new Utf8JsonReader(body, ReaderOptions);
        reader.Read();
        output.Write("["u8);
        var index = 0;
        if (reader.TokenType == JsonTokenType.StartObject) CopyRecord(body, ref reader, decisions[index], output, ref records);
        else
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                CopyRecord(body, ref reader, decisions[index++], output, ref records);
        }
        output.Write("]"u8);
        return true;
    }

    private static void CopyRecord(ReadOnlySpan<byte> body, ref Utf8JsonReader reader, Keep keep, IBufferWriter<byte> output, ref int records)
    {
        var start = (int)reader.TokenStartIndex;
        if (keep != Keep.WithoutText)
        {
            reader.Skip();
            if (keep == Keep.Nothing) return;
            Separate(output, ref records);
            output.Write(body[start..(int)reader.BytesConsumed]);
            return;
        }

        // At most a handful of spans per record (messages, prompt, one message per choice); the rest is copied as is.
        var spans = new List<(int Start, int End)>(4);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("request"u8)) Request(ref reader, spans);
            else if (reader.ValueTextEquals("response"u8)) Response(ref reader, spans);
            else SkipValue(ref reader);
        }
        var end = (int)reader.BytesConsumed;
        Separate(output, ref records);
        var at = start;
        foreach (var (s, e) in spans)
        {
            output.Write(body[at..s]);
            output.Write("null"u8);
            at = e;
        }
        output.Write(body[at..end]);
    }

    private static void Request(ref Utf8JsonReader reader, List<(int, int)> spans)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("messages"u8) || reader.ValueTextEquals("prompt"u8)) Blank(ref reader, spans);
            else SkipValue(ref reader);
        }
    }

    private static void Response(ref Utf8JsonReader reader, List<(int, int)> spans)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("choices"u8))
            {
                SkipValue(ref reader);
                continue;
            }
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }
                // finish_reason and the rest of a choice stay: privacy mode still sends $ai_stop_reason.
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("message"u8)) Blank(ref reader, spans);
                    else SkipValue(ref reader);
                }
            }
        }
    }

    /// <summary>Marks the value of the current property to be written as <c>null</c>.</summary>
    private static void Blank(ref Utf8JsonReader reader, List<(int, int)> spans)
    {
        reader.Read();
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        spans.Add((start, (int)reader.BytesConsumed));
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static void Separate(IBufferWriter<byte> output, ref int records)
    {
        if (records++ > 0) output.Write(","u8);
    }
}
