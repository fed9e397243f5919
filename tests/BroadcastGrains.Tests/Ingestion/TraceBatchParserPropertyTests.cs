using System.Buffers;
using System.Text;
using BroadcastGrains.Ingestion;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using BroadcastGrains.PostHog.Mapping;
using BroadcastGrains.Traces;
using CsCheck;

namespace BroadcastGrains.Tests.Ingestion;

/// <summary>
/// Valid bodies, mutated at random the ways real traffic breaks them (bytes flipped, text cut inside a UTF-8
/// sequence or a surrogate pair, numbers blown up, nesting deepened, bodies cut short). Whatever comes out must be
/// records that map to a sound PostHog event, or errors that each name a field: never an exception.
/// </summary>
public class TraceBatchParserPropertyTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 12, 1, 8, 30, 0, TimeSpan.Zero);

    private enum MutationKind { FlipByte, CutUtf8, CutSurrogateEscape, LoneSurrogateEscape, BlowUpNumber, DeepenNesting, Truncate }

    private readonly record struct Mutation(MutationKind Kind, int Position, int Variant);

    private static readonly Gen<Mutation> MutationGen =
        Gen.Select(Gen.Enum<MutationKind>(), Gen.Int[0, int.MaxValue], Gen.Int[0, 1000], (k, p, v) => new Mutation(k, p, v));

    /// <summary>A seed for the base body (its shape and texts), whether it is escaped or raw UTF-8, and 0-3 mutations.</summary>
    private sealed record Case(int Seed, bool Escaped, Mutation[] Mutations)
    {
        public override string ToString() => $"seed {Seed} escaped {Escaped} mutations [{string.Join(", ", Mutations)}]";
    }

    private static readonly Gen<Case> CaseGen =
        Gen.Select(Gen.Int, Gen.Bool, MutationGen.Array[0, 3], (seed, escaped, mutations) => new Case(seed, escaped, mutations));

    [Fact]
    public void Mutated_bodies_give_records_that_map_or_errors_that_name_a_field_and_never_throw()
    {
        var outcomes = new int[3];
        CaseGen.Sample(c =>
        {
            var body = ValidBody(new Random(c.Seed), c.Escaped);
            foreach (var m in c.Mutations) body = Apply(body, m);
            var kind = AssertSound(body);
            Interlocked.Increment(ref outcomes[kind]);
        }, iter: 4000, threads: 1, print: c => c.ToString());

        // The generator must reach both sides of the property, or it proves little.
        Assert.True(outcomes[0] > 100, $"valid outcomes: {outcomes[0]}");
        Assert.True(outcomes[1] > 100, $"field errors on a record field: {outcomes[1]}");
    }

    [Fact]
    public void Unmutated_bodies_are_valid()
    {
        Gen.Select(Gen.Int, Gen.Bool).Sample((seed, escaped) =>
        {
            var batch = TraceBatchParser.Parse(ValidBody(new Random(seed), escaped), ReceivedAt);
            Assert.True(batch.IsValid, string.Join("; ", batch.Errors));
        }, iter: 300, threads: 1);
    }

    /// <summary>0: valid records that mapped; 1: errors naming a record field; 2: errors on the body as a whole.</summary>
    private static int AssertSound(byte[] body)
    {
        var batch = TraceBatchParser.Parse(body, ReceivedAt);
        if (batch.IsValid)
        {
            Assert.NotEmpty(batch.Records);
            foreach (var record in batch.Records)
            {
                foreach (var privacy in new[] { false, true })
                {
                    var options = new EventMappingOptions("ws_prop", "dst_prop", privacy, "0.0.0");
                    if (PostHogEventMapper.TryMap(record, options, out var json, out _)) AssertSendable(json);
                }
            }
            return 0;
        }

        Assert.Empty(batch.Records);
        Assert.NotEmpty(batch.Errors);
        Assert.All(batch.Errors, e =>
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Field));
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        });
        return batch.Errors.All(e => e.Field == "body") ? 2 : 1;
    }

    /// <summary>What PostHog gets must be JSON it can read: valid UTF-8, no lone surrogates, finite numbers.</summary>
    private static void AssertSendable(ReadOnlySpan<byte> json)
    {
        Assert.True(Utf8.IsValid(json));
        Assert.True(JsonTextChecks.IsSoundText(json));
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 1000 });
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.Number) Assert.False(JsonTextChecks.IsNumberOutOfRange(ref reader));
            else if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName) reader.GetString();
        }
    }

    // ---- valid bodies ----

    private static readonly string[] Texts =
    [
        "hello", "héllo wörld", "😀 emoji 🚀", "日本語のテキスト", "line\nbreak \"quoted\" back\\slash", "tab\tand \u00e9",
        "Recommend a product...", "", "ünïcödé 🏳️‍🌈 flag", "mixed ascii and 中文",
    ];

    private static string Text(Random random) => Texts[random.Next(Texts.Length)] + (random.Next(3) == 0 ? Texts[random.Next(Texts.Length)] : "");

    /// <summary>One record or an array of up to three, in the shape of CONTRACT §4 plus unknown fields.</summary>
    private static byte[] ValidBody(Random random, bool escaped)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var options = new JsonWriterOptions { Encoder = escaped ? JavaScriptEncoder.Default : JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var w = new Utf8JsonWriter(buffer, options))
        {
            var count = random.Next(4);
            if (count == 0) WriteRecord(w, random, 0);
            else
            {
                w.WriteStartArray();
                for (var i = 0; i < count; i++) WriteRecord(w, random, i);
                w.WriteEndArray();
            }
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteRecord(Utf8JsonWriter w, Random random, int index)
    {
        bool Maybe() => random.Next(3) > 0;
        w.WriteStartObject();
        w.WriteString("workspace_id", "ws_" + random.Next(100));
        w.WriteString("generation_id", $"gen-{index}-" + Text(random));
        if (Maybe()) w.WriteString("created_at", "2026-11-26T12:00:00.000Z");
        w.WriteStartObject("request");
        w.WriteString("model", "openai/gpt-4o");
        if (Maybe())
        {
            w.WriteStartArray("messages");
            for (var i = random.Next(1, 4); i > 0; i--)
            {
                w.WriteStartObject();
                w.WriteString("role", i % 2 == 0 ? "assistant" : "user");
                w.WriteString("content", Text(random));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        else if (Maybe()) w.WriteString("prompt", Text(random));
        if (Maybe()) w.WriteString("user", "user_" + Text(random));
        if (Maybe()) w.WriteString("session_id", "session_" + random.Next(10));
        if (Maybe())
        {
            w.WriteStartObject("trace");
            if (Maybe()) w.WriteString("trace_id", "trace-" + random.Next(1000));
            if (Maybe()) w.WriteString("generation_name", Text(random));
            w.WriteString("feature", Text(random));
            if (Maybe()) w.WriteNumber("count", random.Next(-1000, 1000));
            if (Maybe()) w.WriteNumber("ratio", random.NextDouble() * 1e6);
            if (Maybe())
            {
                w.WriteStartObject("nested");
                w.WriteStartArray(Text(random));
                w.WriteNumberValue(1);
                w.WriteStringValue(Text(random));
                w.WriteBooleanValue(true);
                w.WriteNullValue();
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        if (Maybe()) w.WriteNumber("temperature", Math.Round(random.NextDouble(), 2));
        if (Maybe()) w.WriteNumber("max_tokens", random.Next(1, 5000));
        if (Maybe()) w.WriteBoolean("stream", random.Next(2) == 0);
        if (Maybe())
        {
            w.WriteStartArray("tools");
            w.WriteStartObject();
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", "lookup");
            w.WriteString("description", Text(random));
            w.WriteStartObject("parameters");
            w.WriteString("type", "object");
            w.WriteNumber("max", 10);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        }
        w.WriteEndObject();
        if (Maybe())
        {
            w.WriteStartObject("response");
            w.WriteString("id", Text(random));
            w.WriteString("model", "openai/gpt-4o-2024-08-06");
            if (Maybe()) w.WriteString("provider", "OpenAI");
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteString("content", Text(random));
            w.WriteEndObject();
            w.WriteString("finish_reason", "stop");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", random.Next(0, 100000));
            w.WriteNumber("completion_tokens", random.Next(0, 100000));
            w.WriteNumber("cost", Math.Round(random.NextDouble(), 5));
            w.WriteStartObject("prompt_tokens_details");
            w.WriteNumber("cached_tokens", random.Next(0, 100));
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        if (Maybe()) w.WriteString("provider", "OpenAI");
        if (Maybe()) w.WriteNumber("latency_ms", random.Next(0, 10000));
        if (Maybe()) w.WriteNumber("status", random.Next(2) == 0 ? 200 : 429);
        if (Maybe())
        {
            w.WriteStartObject("error");
            w.WriteString("message", Text(random));
            w.WriteNumber("code", 429);
            w.WriteEndObject();
        }
        if (Maybe())
        {
            w.WriteStartObject("gateway_extra");
            w.WriteString(Text(random), Text(random));
            w.WriteNumber("n", random.Next());
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    // ---- mutations ----

    private static readonly byte[][] BrokenUtf8 =
    [
        [0xF0, 0x9F], [0xF0, 0x9F, 0x98], [0xC3], [0xE6, 0x97], [0xED, 0xA0, 0xBD], [0xFF], [0x80], [0xC0, 0xAF], [0xF8, 0x88, 0x80, 0x80],
    ];

    private static readonly string[] LoneEscapes = [@"\ud83d", @"\uDE00", @"\udc00", @"\uD800x", @"\ud83d\ud83d"];

    private static readonly string[] HugeNumbers =
        ["1e400", "-1e400", "1E+309", new string('9', 400), "-" + new string('1', 320), "1e-400", "123456789012345678901234567890", "0.1e999"];

    private static byte[] Apply(byte[] body, Mutation m)
    {
        switch (m.Kind)
        {
            case MutationKind.FlipByte:
            {
                if (body.Length == 0) return body;
                var copy = (byte[])body.Clone();
                copy[m.Position % copy.Length] ^= (byte)(1 + m.Variant % 255);
                return copy;
            }
            case MutationKind.CutUtf8:
                return InsertInString(body, m.Position, BrokenUtf8[m.Variant % BrokenUtf8.Length]);
            case MutationKind.LoneSurrogateEscape:
                return InsertInString(body, m.Position, Encoding.ASCII.GetBytes(LoneEscapes[m.Variant % LoneEscapes.Length]));
            case MutationKind.CutSurrogateEscape:
                return CutSurrogateEscape(body, m.Position, m.Variant);
            case MutationKind.BlowUpNumber:
                return ReplaceNumber(body, m.Position, HugeNumbers[m.Variant % HugeNumbers.Length]);
            case MutationKind.DeepenNesting:
                return Deepen(body, m.Position, m.Variant);
            case MutationKind.Truncate:
                return body.Length == 0 ? body : body[..(m.Position % body.Length)];
            default:
                throw new ArgumentOutOfRangeException(nameof(m));
        }
    }

    /// <summary>Positions inside string contents where bytes can go without splitting an escape.</summary>
    private static List<int> StringPositions(byte[] body)
    {
        var positions = new List<int>();
        var inString = false;
        for (var i = 0; i < body.Length; i++)
        {
            var b = body[i];
            if (!inString)
            {
                if (b == (byte)'"') inString = true;
                continue;
            }
            if (b == (byte)'\\')
            {
                positions.Add(i);
                i += i + 1 < body.Length && body[i + 1] == (byte)'u' ? 5 : 1;
                continue;
            }
            if ((b & 0xC0) != 0x80) positions.Add(i); // never inside a UTF-8 sequence of the base body
            if (b == (byte)'"') inString = false;
        }
        return positions;
    }

    private static byte[] InsertInString(byte[] body, int position, ReadOnlySpan<byte> bytes)
    {
        var positions = StringPositions(body);
        if (positions.Count == 0) return body;
        var at = positions[position % positions.Count];
        return [.. body.AsSpan(0, at), .. bytes, .. body.AsSpan(at)];
    }

    /// <summary>An escaped surrogate pair (<c>\ud83d\ude00</c>) or a raw 4-byte character, cut inside.</summary>
    private static byte[] CutSurrogateEscape(byte[] body, int position, int variant)
    {
        var cuts = new List<(int Start, int Length)>();
        for (var i = 0; i + 11 < body.Length; i++)
        {
            if (body[i] == (byte)'\\' && body[i + 1] == (byte)'u' && (body[i + 2] | 0x20) == (byte)'d' && body[i + 3] is (byte)'8' or (byte)'9' or (byte)'a' or (byte)'b' or (byte)'A' or (byte)'B')
                cuts.Add((i, 12));
        }
        for (var i = 0; i + 3 < body.Length; i++)
        {
            if ((body[i] & 0xF8) == 0xF0) cuts.Add((i, 4));
        }
        if (cuts.Count == 0) return InsertInString(body, position, Encoding.ASCII.GetBytes(LoneEscapes[variant % LoneEscapes.Length]));
        var (start, length) = cuts[position % cuts.Count];
        // The high half alone or the low half alone; of a raw character, its first or last 1-3 bytes.
        var keep = length == 12 ? 6 : 1 + variant / 2 % 3;
        var (from, count) = variant % 2 == 0 ? (start, keep) : (start + length - keep, keep);
        return [.. body.AsSpan(0, start), .. body.AsSpan(from, count), .. body.AsSpan(start + length)];
    }

    /// <summary>Number tokens outside strings: a digit or minus sign where a value starts.</summary>
    private static List<(int Start, int Length)> Numbers(byte[] body)
    {
        var numbers = new List<(int, int)>();
        var inString = false;
        for (var i = 0; i < body.Length; i++)
        {
            var b = body[i];
            if (inString)
            {
                if (b == (byte)'\\') i++;
                else if (b == (byte)'"') inString = false;
                continue;
            }
            if (b == (byte)'"') { inString = true; continue; }
            if (b is (byte)'-' or >= (byte)'0' and <= (byte)'9')
            {
                var end = i;
                while (end < body.Length && body[end] is (byte)'-' or (byte)'+' or (byte)'.' or (byte)'e' or (byte)'E' or >= (byte)'0' and <= (byte)'9') end++;
                numbers.Add((i, end - i));
                i = end - 1;
            }
        }
        return numbers;
    }

    private static byte[] ReplaceNumber(byte[] body, int position, string replacement)
    {
        var numbers = Numbers(body);
        if (numbers.Count == 0) return body;
        var (start, length) = numbers[position % numbers.Count];
        return [.. body.AsSpan(0, start), .. Encoding.ASCII.GetBytes(replacement), .. body.AsSpan(start + length)];
    }

    private static readonly int[] Depths = [5, 63, 64, 65, 100, 127, 200, 250, 254, 255, 256, 300];

    /// <summary>Wraps a number value in arrays or objects, pushing everything under it deeper.</summary>
    private static byte[] Deepen(byte[] body, int position, int variant)
    {
        var numbers = Numbers(body);
        if (numbers.Count == 0) return body;
        var (start, length) = numbers[position % numbers.Count];
        var depth = Depths[variant % Depths.Length];
        var asObjects = variant % 2 == 1;
        var open = new StringBuilder();
        var close = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            open.Append(asObjects ? "{\"k\":" : "[");
            close.Append(asObjects ? '}' : ']');
        }
        return [.. body.AsSpan(0, start), .. Encoding.ASCII.GetBytes(open.ToString()), .. body.AsSpan(start, length), .. Encoding.ASCII.GetBytes(close.ToString()), .. body.AsSpan(start + length)];
    }
}
