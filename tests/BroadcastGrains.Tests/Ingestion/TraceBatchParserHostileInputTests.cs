using System.Text;
using BroadcastGrains.Ingestion;
using BroadcastGrains.PostHog.Mapping;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Tests.Ingestion;

/// <summary>
/// Text and numbers the JSON reader lets through but PostHog cannot take (CONTRACT §8.1): each is a 400 naming
/// its field, wherever in the record it sits.
/// </summary>
public class TraceBatchParserHostileInputTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 12, 1, 8, 30, 0, TimeSpan.Zero);

    private static TraceBatch Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    private static TraceBatch Parse(byte[] json) => TraceBatchParser.Parse(json, ReceivedAt);

    /// <summary>A valid record with <paramref name="request"/> spliced into its request object.</summary>
    private static string Record(string request = "", string rest = "") =>
        "{\"workspace_id\": \"ws_1\", \"generation_id\": \"gen-1\", \"request\": {\"model\": \"m\"" + request + "}" + rest + "}";

    /// <summary>The text with a raw byte sequence in place of <c>§</c> (which the test strings use only as a marker).</summary>
    private static byte[] WithBytes(string json, params byte[] bytes)
    {
        var at = json.IndexOf('§');
        return [.. Encoding.UTF8.GetBytes(json[..at]), .. bytes, .. Encoding.UTF8.GetBytes(json[(at + 1)..])];
    }

    private static FieldError SingleError(TraceBatch batch, string field)
    {
        Assert.False(batch.IsValid);
        Assert.Empty(batch.Records);
        var error = Assert.Single(batch.Errors);
        Assert.Equal(field, error.Field);
        return error;
    }

    // ---- unpaired surrogate escapes ----

    [Fact]
    public void A_user_cut_inside_an_emoji_names_request_user()
    {
        var error = SingleError(Parse(Record(""", "user": "user_\ud83d" """)), "request.user");
        Assert.Contains(@"\ud83d", error.Message);
    }

    [Fact]
    public void A_lone_low_surrogate_in_trace_metadata_names_request_trace_feature()
    {
        SingleError(Parse(Record(""", "trace": {"feature": "shop\udc00ping"}""")), "request.trace.feature");
    }

    [Fact]
    public void In_an_array_the_path_starts_with_the_record_index()
    {
        var good = Record();
        var bad = Record(""", "trace": {"a": 1, "feature": "shop\udc00ping"}""");
        SingleError(Parse($"[{good}, {good}, {good}, {bad}]"), "[3].request.trace.feature");
    }

    [Fact]
    public void Inside_messages_the_path_names_the_item_and_property()
    {
        SingleError(Parse(Record(""", "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok \ud83d"}]""")),
            "request.messages[1].content");
    }

    [Fact]
    public void A_field_the_parser_skips_is_checked_too()
    {
        SingleError(Parse(Record(rest: """, "response": {"id": "x\udbff"}""")), "response.id");
        SingleError(Parse(Record(rest: """, "gateway": {"list": ["ok", "x\udbff"]}""")), "gateway.list[1]");
    }

    [Fact]
    public void A_bad_property_name_is_named_with_the_escape_as_sent()
    {
        var error = SingleError(Parse(Record(""", "trace": {"fe\ud800ture": "x"}""")), @"request.trace.fe\ud800ture");
        Assert.StartsWith("is a property name", error.Message);
    }

    [Theory]
    [InlineData(@"\ud83d\ude00")] // a pair
    [InlineData(@"\uD83D\uDE00")]
    [InlineData(@"\\ud83d")] // an escaped backslash, then plain text
    [InlineData(@"\u00e9\n\""")]
    public void Sound_escapes_are_accepted(string escaped)
    {
        var batch = Parse(Record($$""", "user": "u{{escaped}}", "trace": {"f": "{{escaped}}"}, "messages": [{"content": "{{escaped}}"}]"""));
        Assert.True(batch.IsValid, string.Join("; ", batch.Errors));
    }

    [Fact]
    public void A_surrogate_pair_arrives_as_the_character()
    {
        var batch = Parse(Record(""", "user": "user_\ud83d\ude00" """));
        Assert.Equal("user_😀", Assert.Single(batch.Records).User);
    }

    [Fact]
    public void A_body_that_is_only_a_bad_string_is_an_error_on_body()
    {
        SingleError(Parse("\"\\ud800\""), "body");
    }

    [Fact]
    public void Every_bad_string_is_reported_not_only_the_first()
    {
        var batch = Parse(Record(""", "user": "\ud800", "session_id": "\udfff", "trace": {"x": "\ud800"}"""));
        Assert.Equal(["request.user", "request.session_id", "request.trace.x"], batch.Errors.Select(e => e.Field));
    }

    // ---- invalid UTF-8 ----

    [Theory]
    [InlineData(new byte[] { 0xC3 })] // a two-byte character cut
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98 })] // an emoji cut
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC0, 0xAF })] // overlong
    [InlineData(new byte[] { 0xED, 0xA0, 0xBD })] // a surrogate encoded as UTF-8
    public void Invalid_utf8_in_a_string_names_the_field(byte[] bytes)
    {
        var error = SingleError(Parse(WithBytes(Record(""", "user": "ab§cd" """), bytes)), "request.user");
        Assert.Contains("UTF-8", error.Message);
        SingleError(Parse(WithBytes(Record(""", "messages": [{"role": "user", "content": "ab§"}]"""), bytes)), "request.messages[0].content");
        SingleError(Parse(WithBytes(Record(""", "trace": {"feature": "§"}"""), bytes)), "request.trace.feature");
        SingleError(Parse(WithBytes(Record(""", "trace": {"fea§": 1}"""), bytes)), "request.trace.fea" + Encoding.UTF8.GetString(bytes)); // shown with U+FFFD in place of the bad bytes
    }

    [Fact]
    public void Invalid_utf8_outside_any_string_is_an_error_on_body()
    {
        SingleError(Parse(WithBytes(Record(""", "max_tokens": 1§"""), 0xFF)), "body");
    }

    // ---- numbers beyond a double ----

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("1E+309")]
    [InlineData("0.1e999")]
    public void A_number_out_of_range_anywhere_names_its_field(string number)
    {
        SingleError(Parse(Record($$""", "messages": [{"role": "user", "content": "x", "n": {{number}}}]""")), "request.messages[0].n");
        SingleError(Parse(Record($$""", "trace": {"score": {{number}}}""")), "request.trace.score");
        SingleError(Parse(Record($$""", "trace": {"trace_id": {{number}}}""")), "request.trace.trace_id");
        SingleError(Parse(Record($$""", "tools": [{"max": {{number}}}]""")), "request.tools[0].max");
        SingleError(Parse(Record(rest: $$$""", "response": {"usage": {"total_tokens": {{{number}}}}}""")), "response.usage.total_tokens");
        SingleError(Parse(Record(rest: $$""", "error": {"code": {{number}}}""")), "error.code");
        SingleError(Parse($$"""[{{Record()}}, {{Record(rest: $$""", "extra": [1, {{number}}]""")}}]"""), "[1].extra[1]");
    }

    [Fact]
    public void A_huge_integer_is_out_of_range_only_beyond_a_double()
    {
        SingleError(Parse(Record(""", "trace": {"n": """ + new string('9', 400) + "}")), "request.trace.n");
        Assert.True(Parse(Record(""", "trace": {"n": 123456789012345678901234567890}""")).IsValid);
        Assert.True(Parse(Record(""", "trace": {"n": """ + new string('9', 300) + "}")).IsValid);
    }

    [Fact]
    public void An_underflow_is_zero_and_accepted()
    {
        Assert.True(Parse(Record(""", "trace": {"n": 1e-400}, "temperature": 1e-400""")).IsValid);
    }

    [Fact]
    public void A_known_numeric_field_out_of_range_is_reported_once()
    {
        var error = SingleError(Parse(Record(""", "temperature": 1e400, "messages": [{"n": 1}]""")), "request.temperature");
        Assert.Contains("out of range", error.Message);
    }

    [Fact]
    public void Range_errors_come_with_the_other_errors_of_the_body()
    {
        var batch = Parse("""[{"workspace_id": "ws_1", "generation_id": "g", "request": {"model": "m", "trace": {"n": 1e400}}}, {"workspace_id": "ws_1"}]""");
        Assert.Contains(batch.Errors, e => e.Field == "[0].request.trace.n");
        Assert.Contains(batch.Errors, e => e.Field == "[1].generation_id");
        Assert.Empty(batch.Records);
    }

    // ---- what is accepted maps ----

    [Fact]
    public void Messages_nested_deeper_than_the_writers_own_check_still_map()
    {
        var deep = new string('[', 200) + "1" + new string(']', 200);
        var batch = Parse(Record($$""", "messages": [{"content": {{deep}}}], "tools": [{{deep}}]"""));
        var record = Assert.Single(batch.Records);
        Assert.True(PostHogEventMapper.TryMap(record, new EventMappingOptions("ws_1", "d", false, "0"), out var json, out _));
        Assert.Contains(Encoding.UTF8.GetBytes(deep), json.ToArray());
    }
}
