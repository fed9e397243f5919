using System.IO.Compression;
using System.Text;
using System.Text.Json;
using BroadcastGrains.PostHog.Delivery;

namespace BroadcastGrains.Tests.Delivery;

public class BatchPayloadTests
{
    private const string Key = "phc_abcdefghijklwxyz";
    private static readonly DateTimeOffset SentAt = new(2026, 11, 26, 12, 0, 5, 123, TimeSpan.Zero);

    private static ReadOnlyMemory<byte> Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static string Gunzip(byte[] gzip)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public void Output_is_gzip()
    {
        var gzip = BatchPayload.BuildGzip(Key, SentAt, [Utf8("{}")]);
        Assert.True(gzip.Length > 2);
        Assert.Equal(0x1f, gzip[0]);
        Assert.Equal(0x8b, gzip[1]);
    }

    [Fact]
    public void Envelope_is_exact_with_events_spliced_in_order()
    {
        ReadOnlyMemory<byte>[] events =
        [
            Utf8("""{"event":"$ai_generation","uuid":"1"}"""),
            Utf8("""{"event":"$ai_generation","uuid":"2","properties":{"x":[1,2]}}"""),
            Utf8("""{"event":"$ai_generation","uuid":"3"}"""),
        ];
        var json = Gunzip(BatchPayload.BuildGzip(Key, SentAt, events));

        Assert.Equal(
            """{"api_key":"phc_abcdefghijklwxyz","historical_migration":false,"sent_at":"2026-11-26T12:00:05.123Z","batch":[""" +
            """{"event":"$ai_generation","uuid":"1"},{"event":"$ai_generation","uuid":"2","properties":{"x":[1,2]}},{"event":"$ai_generation","uuid":"3"}]}""",
            json);
    }

    [Fact]
    public void Output_parses_as_the_documented_object()
    {
        ReadOnlyMemory<byte>[] events = [Utf8("""{"uuid":"a"}"""), Utf8("""{"uuid":"b"}""")];
        using var doc = JsonDocument.Parse(Gunzip(BatchPayload.BuildGzip(Key, SentAt, events)));
        var root = doc.RootElement;

        Assert.Equal(["api_key", "historical_migration", "sent_at", "batch"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(Key, root.GetProperty("api_key").GetString());
        Assert.Equal(JsonValueKind.False, root.GetProperty("historical_migration").ValueKind);
        Assert.Equal(["a", "b"], root.GetProperty("batch").EnumerateArray().Select(e => e.GetProperty("uuid").GetString()));
    }

    [Fact]
    public void Sent_at_is_utc_iso8601_with_milliseconds_and_z()
    {
        var local = new DateTimeOffset(2026, 11, 26, 13, 0, 5, 7, TimeSpan.FromHours(1));
        using var doc = JsonDocument.Parse(Gunzip(BatchPayload.BuildGzip(Key, local, [Utf8("{}")])));
        Assert.Equal("2026-11-26T12:00:05.007Z", doc.RootElement.GetProperty("sent_at").GetString());

        using var whole = JsonDocument.Parse(Gunzip(BatchPayload.BuildGzip(Key, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), [Utf8("{}")])));
        Assert.Equal("2026-01-02T03:04:05.000Z", whole.RootElement.GetProperty("sent_at").GetString());
    }

    [Fact]
    public void Single_event_has_no_separator()
    {
        var json = Gunzip(BatchPayload.BuildGzip(Key, SentAt, [Utf8("""{"uuid":"only"}""")]));
        Assert.EndsWith("""
            "batch":[{"uuid":"only"}]}
            """, json);
    }

    [Fact]
    public void No_events_gives_an_empty_batch()
    {
        var json = Gunzip(BatchPayload.BuildGzip(Key, SentAt, []));
        Assert.EndsWith("""
            "batch":[]}
            """, json);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(0, doc.RootElement.GetProperty("batch").GetArrayLength());
    }

    [Fact]
    public void Event_bytes_are_spliced_untouched()
    {
        // Non-ASCII and escapes inside an event must reach PostHog exactly as mapped.
        const string ev = """{"properties":{"$ai_input":"héllo \u2028 \"q\" <b>"}}""";
        var json = Gunzip(BatchPayload.BuildGzip(Key, SentAt, [Utf8(ev)]));
        Assert.Contains(ev, json, StringComparison.Ordinal);
    }

    [Fact]
    public void Events_sliced_from_a_larger_buffer_use_only_their_slice()
    {
        var buffer = Encoding.UTF8.GetBytes("""xx{"uuid":"a"}yy{"uuid":"b"}zz""");
        ReadOnlyMemory<byte>[] events = [buffer.AsMemory(2, 12), buffer.AsMemory(16, 12)];
        var json = Gunzip(BatchPayload.BuildGzip(Key, SentAt, events));
        Assert.EndsWith("""
            "batch":[{"uuid":"a"},{"uuid":"b"}]}
            """, json);
    }

    [Fact]
    public void Large_batch_round_trips()
    {
        var events = Enumerable.Range(0, 500)
            .Select(i => Utf8($$$"""{"uuid":"{{{i}}}","properties":{"pad":"{{{new string('x', 2000)}}}"}}"""))
            .ToArray();
        var gzip = BatchPayload.BuildGzip(Key, SentAt, events);
        using var doc = JsonDocument.Parse(Gunzip(gzip));
        var batch = doc.RootElement.GetProperty("batch");

        Assert.Equal(500, batch.GetArrayLength());
        Assert.Equal(Enumerable.Range(0, 500).Select(i => i.ToString()), batch.EnumerateArray().Select(e => e.GetProperty("uuid").GetString()));
        Assert.True(gzip.Length < 500 * 2000 / 4, "repetitive JSON should compress");
    }
}
