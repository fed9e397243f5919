using System.Text.Json;
using static BroadcastGrains.Tests.Mapping.MappingFixtures;

namespace BroadcastGrains.Tests.Mapping;

/// <summary>The custom metadata rule: every key of <c>request.trace</c>, renamed when reserved, depth-capped.</summary>
public class PostHogEventMapperMetadataTests
{
    [Fact]
    public void Reserved_keys_get_the_metadata_prefix()
    {
        const string trace = """{"$foo":1,"distinct_id":"x","token":"t","api_key":"k","$ai_model":"evil","\u0024bar":2,"tokens":"ok","Token":"case","feature":"f"}""";
        var ev = Event(Minimal() with { User = "u", TraceJson = Utf8(trace) });
        var props = ev.GetProperty("properties");

        Assert.Equal(1, props.GetProperty("metadata_$foo").GetInt32());
        Assert.Equal("x", props.GetProperty("metadata_distinct_id").GetString());
        Assert.Equal("t", props.GetProperty("metadata_token").GetString());
        Assert.Equal("k", props.GetProperty("metadata_api_key").GetString());
        Assert.Equal("evil", props.GetProperty("metadata_$ai_model").GetString());
        Assert.Equal(2, props.GetProperty("metadata_$bar").GetInt32()); // escaped "$" is still "$"
        Assert.Equal("ok", props.GetProperty("tokens").GetString());     // exact names only
        Assert.Equal("case", props.GetProperty("Token").GetString());
        Assert.Equal("f", props.GetProperty("feature").GetString());

        foreach (var name in new[] { "$foo", "distinct_id", "token", "api_key", "$bar" }) AssertAbsent(props, name);
        Assert.Equal("openai/gpt-4o", props.GetProperty("$ai_model").GetString());
        Assert.Equal("u", ev.GetProperty("distinct_id").GetString());
    }

    [Fact]
    public void Trace_key_broadcast_truncated_is_renamed_so_our_flag_stays_true_and_unique()
    {
        var record = Minimal() with { TraceJson = Utf8("""{"broadcast_truncated":"mine"}""") };

        var small = Props(record);
        AssertAbsent(small, "broadcast_truncated");
        Assert.Equal("mine", small.GetProperty("metadata_broadcast_truncated").GetString());

        var big = Props(record with { InputJson = Utf8("[\"" + new string('x', 1_000_000) + "\"]") });
        Assert.Single(Names(big), n => n == "broadcast_truncated");
        Assert.True(big.GetProperty("broadcast_truncated").GetBoolean());
        Assert.Equal("mine", big.GetProperty("metadata_broadcast_truncated").GetString());
    }

    [Fact]
    public void Colliding_trace_keys_are_written_once_last_wins()
    {
        const string trace = """{"a":1,"$x":"first","b":true,"a":2,"metadata_$x":"second","\u0061":3}""";
        var props = Props(Minimal() with { TraceJson = Utf8(trace) });
        var names = Names(props);

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(3, props.GetProperty("a").GetInt32());
        Assert.Equal("second", props.GetProperty("metadata_$x").GetString());
        Assert.True(props.GetProperty("b").GetBoolean());
    }

    [Fact]
    public void Nesting_deeper_than_three_levels_becomes_truncated()
    {
        const string trace = """
            {"l1": {"l2": {"l3": {"obj4": {"x": 1}, "arr4": [1], "scalar4": 5, "empty4": {}}}},
             "arr": [[["deep", [1], {"k": 1}]]],
             "flat": "x"}
            """;
        var props = Props(Minimal() with { TraceJson = Utf8(trace) });

        AssertJsonEqual(
            """{"l2": {"l3": {"obj4": "[truncated]", "arr4": "[truncated]", "scalar4": 5, "empty4": "[truncated]"}}}""",
            props.GetProperty("l1"));
        AssertJsonEqual("""[[["deep", "[truncated]", "[truncated]"]]]""", props.GetProperty("arr"));
        Assert.Equal("x", props.GetProperty("flat").GetString());
    }

    [Fact]
    public void Three_levels_are_kept_whole()
    {
        const string value = """{"a": {"b": [1, "two", null, false]}}""";
        var props = Props(Minimal() with { TraceJson = Utf8("{\"k\": " + value + "}") });
        AssertJsonEqual(value, props.GetProperty("k"));
    }

    [Fact]
    public void Privacy_mode_keeps_custom_metadata()
    {
        var props = Props(Seed(), Options with { PrivacyMode = true });
        Assert.Equal("shopping-assistant", props.GetProperty("feature").GetString());
        Assert.Equal("Product Recommendations", props.GetProperty("trace_name").GetString());
        AssertAbsent(props, "$ai_input");
        AssertAbsent(props, "$ai_output_choices");
    }

    [Fact]
    public void Non_object_trace_adds_no_properties()
    {
        var plain = Names(Props(Minimal()));
        Assert.Equal(plain, Names(Props(Minimal() with { TraceJson = Utf8("[1,2]") })));
    }

    [Fact]
    public void Many_trace_keys_are_all_copied()
    {
        var trace = "{" + string.Join(",", Enumerable.Range(0, 500).Select(i => $"\"k{i}\":{i}")) + ",\"k7\":\"again\"}";
        var props = Props(Minimal() with { TraceJson = Utf8(trace) });
        var names = Names(props);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(499, props.GetProperty("k499").GetInt32());
        Assert.Equal("again", props.GetProperty("k7").GetString());
        Assert.Equal(500, names.Count(n => n.StartsWith('k')));
    }
}
