using System.Text.Json;
using BroadcastGrains.PostHog.Mapping;
using static BroadcastGrains.Tests.Mapping.MappingFixtures;

namespace BroadcastGrains.Tests.Mapping;

/// <summary>One test per row of the two tables of CONTRACT §6.</summary>
public class PostHogEventMapperTests
{
    // ---- event fields ----

    [Fact]
    public void Event_is_ai_generation()
    {
        Assert.Equal("$ai_generation", Event(Minimal()).GetProperty("event").GetString());
    }

    [Fact]
    public void Uuid_is_v5_of_workspace_destination_generation()
    {
        var uuid = Event(Minimal() with { GenerationId = "gen-1" }).GetProperty("uuid").GetString();
        // python3 -c 'import uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, "ws_123/dst_abc/gen-1"))'
        Assert.Equal("ec933f45-53c1-5894-a00f-726789ea194e", uuid);
    }

    [Fact]
    public void Distinct_id_is_user()
    {
        var ev = Event(Minimal() with { User = "user_12345" });
        Assert.Equal("user_12345", ev.GetProperty("distinct_id").GetString());
        AssertAbsent(ev.GetProperty("properties"), "$process_person_profile");
    }

    [Fact]
    public void Timestamp_is_utc_iso8601_with_milliseconds()
    {
        Assert.Equal("2026-11-26T12:00:00.000Z", Event(Minimal()).GetProperty("timestamp").GetString());

        var offset = new DateTimeOffset(2026, 11, 26, 13, 0, 5, 123, TimeSpan.FromHours(1));
        Assert.Equal("2026-11-26T12:00:05.123Z", Event(Minimal() with { Timestamp = offset }).GetProperty("timestamp").GetString());
    }

    [Fact]
    public void Event_has_exactly_the_five_top_level_fields()
    {
        Assert.Equal(["event", "uuid", "distinct_id", "timestamp", "properties"], Names(Event(Seed())));
    }

    // ---- properties ----

    [Fact]
    public void Trace_id_is_trace_id_else_generation_id()
    {
        Assert.Equal("trace-9", Props(Minimal() with { TraceId = "trace-9" }).GetProperty("$ai_trace_id").GetString());
        Assert.Equal("gen-1", Props(Minimal()).GetProperty("$ai_trace_id").GetString());
        Assert.Equal("gen-1", Props(Minimal() with { TraceId = "" }).GetProperty("$ai_trace_id").GetString());
    }

    [Fact]
    public void Span_id_is_generation_id()
    {
        Assert.Equal("gen-77", Props(Minimal() with { GenerationId = "gen-77", TraceId = "t" }).GetProperty("$ai_span_id").GetString());
    }

    [Fact]
    public void Span_name_is_generation_name()
    {
        Assert.Equal("Generate Recommendation", Props(Minimal() with { GenerationName = "Generate Recommendation" }).GetProperty("$ai_span_name").GetString());
        AssertAbsent(Props(Minimal()), "$ai_span_name");
    }

    [Fact]
    public void Parent_id_is_parent_span_id_when_present()
    {
        Assert.Equal("span-0", Props(Minimal() with { ParentSpanId = "span-0" }).GetProperty("$ai_parent_id").GetString());
        AssertAbsent(Props(Minimal()), "$ai_parent_id");
    }

    [Fact]
    public void User_is_request_user_when_present()
    {
        Assert.Equal("user_12345", Props(Minimal() with { User = "user_12345" }).GetProperty("$ai_user").GetString());
        AssertAbsent(Props(Minimal()), "$ai_user");
    }

    [Fact]
    public void Session_id_is_request_session_id_when_present()
    {
        Assert.Equal("session_abc", Props(Minimal() with { SessionId = "session_abc" }).GetProperty("$ai_session_id").GetString());
        AssertAbsent(Props(Minimal()), "$ai_session_id");
    }

    [Fact]
    public void Model_is_response_model_else_request_model()
    {
        Assert.Equal("openai/gpt-4o-2024-08-06", Props(Minimal() with { ResponseModel = "openai/gpt-4o-2024-08-06" }).GetProperty("$ai_model").GetString());
        Assert.Equal("openai/gpt-4o", Props(Minimal()).GetProperty("$ai_model").GetString());
    }

    [Fact]
    public void Provider_is_resolved_provider()
    {
        Assert.Equal("OpenAI", Props(Minimal() with { Provider = "OpenAI" }).GetProperty("$ai_provider").GetString());
        AssertAbsent(Props(Minimal()), "$ai_provider");
    }

    [Fact]
    public void Input_is_raw_messages_verbatim()
    {
        const string input = """[{"role":"user","content":"héllo \"quoted\" \u00e9"}, {"role": "user",  "content": [{"type":"text","text":"x"}]}]""";
        var props = Props(Minimal() with { InputJson = Utf8(input) });
        Assert.Equal(input, props.GetProperty("$ai_input").GetRawText());
    }

    [Fact]
    public void Output_choices_are_the_messages()
    {
        var props = Props(Minimal() with { OutputChoicesJson = Utf8(SeedOutput) });
        AssertJsonEqual("""[{"role":"assistant","content":"Try..."}]""", props.GetProperty("$ai_output_choices"));
    }

    [Fact]
    public void Input_and_output_tokens()
    {
        var props = Props(Minimal() with { PromptTokens = 194, CompletionTokens = 52 });
        Assert.Equal(194, props.GetProperty("$ai_input_tokens").GetInt64());
        Assert.Equal(52, props.GetProperty("$ai_output_tokens").GetInt64());
    }

    [Fact]
    public void Cache_read_and_creation_tokens()
    {
        var props = Props(Minimal() with { CachedTokens = 120, CacheWriteTokens = 30 });
        Assert.Equal(120, props.GetProperty("$ai_cache_read_input_tokens").GetInt64());
        Assert.Equal(30, props.GetProperty("$ai_cache_creation_input_tokens").GetInt64());
    }

    [Fact]
    public void Reasoning_tokens()
    {
        Assert.Equal(64, Props(Minimal() with { ReasoningTokens = 64 }).GetProperty("$ai_reasoning_tokens").GetInt64());
    }

    [Fact]
    public void Cache_reporting_exclusive_is_always_false()
    {
        Assert.Equal(JsonValueKind.False, Props(Minimal()).GetProperty("$ai_cache_reporting_exclusive").ValueKind);
        Assert.Equal(JsonValueKind.False, Props(Seed()).GetProperty("$ai_cache_reporting_exclusive").ValueKind);
    }

    [Fact]
    public void Total_cost_usd_is_usage_cost()
    {
        var cost = Props(Minimal() with { Cost = 0.00123 }).GetProperty("$ai_total_cost_usd");
        Assert.Equal(0.00123, cost.GetDouble());
        Assert.Equal("0.00123", cost.GetRawText());
    }

    [Fact]
    public void Cost_passthrough_goes_with_every_total_cost_and_only_with_it()
    {
        var props = Props(Minimal() with { Cost = 0 });
        Assert.Equal(0, props.GetProperty("$ai_total_cost_usd").GetDouble());
        Assert.Equal(JsonValueKind.True, props.GetProperty("$ai_cost_passthrough").ValueKind);

        AssertAbsent(Props(Minimal()), "$ai_cost_passthrough");
        AssertAbsent(Props(Minimal() with { Cost = double.PositiveInfinity }), "$ai_cost_passthrough");
    }

    [Fact]
    public void Latency_and_time_to_first_token_are_seconds()
    {
        var props = Props(Minimal() with { LatencyMs = 1234, TimeToFirstTokenMs = 210 });
        Assert.Equal("1.234", props.GetProperty("$ai_latency").GetRawText());
        Assert.Equal("0.21", props.GetProperty("$ai_time_to_first_token").GetRawText());
    }

    [Fact]
    public void Non_finite_numbers_are_omitted()
    {
        var props = Props(Minimal() with { LatencyMs = double.NaN, Cost = double.PositiveInfinity });
        AssertAbsent(props, "$ai_latency");
        AssertAbsent(props, "$ai_total_cost_usd");
    }

    [Fact]
    public void Http_status_is_the_resolved_status()
    {
        Assert.Equal(429, Props(Minimal() with { HttpStatus = 429 }).GetProperty("$ai_http_status").GetInt32());
        AssertAbsent(Props(Minimal()), "$ai_http_status");
    }

    [Fact]
    public void Is_error_and_error_from_error_or_status()
    {
        var failed = Props(Minimal() with { HasError = true, HttpStatus = 502, ErrorMessage = "Upstream timed out" });
        Assert.True(failed.GetProperty("$ai_is_error").GetBoolean());
        Assert.Equal("Upstream timed out", failed.GetProperty("$ai_error").GetString());

        // status >= 400 alone is an error
        Assert.True(Props(Minimal() with { HttpStatus = 400 }).GetProperty("$ai_is_error").GetBoolean());
        // an error object alone is an error
        Assert.True(Props(Minimal() with { HasError = true }).GetProperty("$ai_is_error").GetBoolean());

        var ok = Props(Minimal() with { HttpStatus = 200 });
        Assert.False(ok.GetProperty("$ai_is_error").GetBoolean());
        AssertAbsent(ok, "$ai_error");
        Assert.False(Props(Minimal() with { HttpStatus = 399 }).GetProperty("$ai_is_error").GetBoolean());
    }

    [Fact]
    public void Stop_reason_is_first_finish_reason()
    {
        Assert.Equal("length", Props(Minimal() with { StopReason = "length" }).GetProperty("$ai_stop_reason").GetString());
        AssertAbsent(Props(Minimal()), "$ai_stop_reason");
    }

    [Fact]
    public void Temperature_max_tokens_stream_tools_from_request()
    {
        const string tools = """[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]""";
        var props = Props(Minimal() with { Temperature = 0.7, MaxTokens = 500, Stream = true, ToolsJson = Utf8(tools) });
        Assert.Equal("0.7", props.GetProperty("$ai_temperature").GetRawText());
        Assert.Equal(500, props.GetProperty("$ai_max_tokens").GetInt64());
        Assert.True(props.GetProperty("$ai_stream").GetBoolean());
        Assert.Equal(tools, props.GetProperty("$ai_tools").GetRawText());

        Assert.False(Props(Minimal() with { Stream = false }).GetProperty("$ai_stream").GetBoolean());
    }

    [Fact]
    public void Every_trace_key_becomes_a_property()
    {
        const string trace = """{"trace_id":"t-1","trace_name":"Checkout","generation_name":"g","parent_span_id":"p","feature":"shopping-assistant","n":1.50,"flag":true,"none":null,"obj":{"a":[1,"x"]},"esc":"\u00e9\n"}""";
        var props = Props(Minimal() with { TraceId = "t-1", TraceJson = Utf8(trace) });

        Assert.Equal("t-1", props.GetProperty("trace_id").GetString());
        Assert.Equal("Checkout", props.GetProperty("trace_name").GetString());
        Assert.Equal("g", props.GetProperty("generation_name").GetString());
        Assert.Equal("p", props.GetProperty("parent_span_id").GetString());
        Assert.Equal("shopping-assistant", props.GetProperty("feature").GetString());
        Assert.Equal("1.50", props.GetProperty("n").GetRawText()); // the caller's digits, verbatim
        Assert.True(props.GetProperty("flag").GetBoolean());
        Assert.Equal(JsonValueKind.Null, props.GetProperty("none").ValueKind); // the caller's own null is a value
        AssertJsonEqual("""{"a":[1,"x"]}""", props.GetProperty("obj"));
        Assert.Equal("é\n", props.GetProperty("esc").GetString());
    }

    [Fact]
    public void Lib_and_lib_version()
    {
        var props = Props(Minimal(), Options with { LibVersion = "1.2.3" });
        Assert.Equal("broadcastgrains", props.GetProperty("$ai_lib").GetString());
        Assert.Equal("1.2.3", props.GetProperty("$ai_lib_version").GetString());
    }

    // ---- whole events ----

    [Fact]
    public void Seed_example_maps_end_to_end()
    {
        var ev = Event(Seed());
        Assert.Equal("$ai_generation", ev.GetProperty("event").GetString());
        Assert.Equal(DeterministicUuid.ForEvent("ws_123", "dst_abc", "gen-1732612345-abc").ToString(), ev.GetProperty("uuid").GetString());
        Assert.Equal("user_12345", ev.GetProperty("distinct_id").GetString());
        Assert.Equal("2026-11-26T12:00:00.000Z", ev.GetProperty("timestamp").GetString());

        var props = ev.GetProperty("properties");
        string[] expectedNames =
        [
            "$ai_trace_id", "$ai_span_id", "$ai_span_name", "$ai_user", "$ai_session_id", "$ai_model", "$ai_provider",
            "$ai_input", "$ai_output_choices", "$ai_input_tokens", "$ai_output_tokens", "$ai_cache_read_input_tokens",
            "$ai_cache_creation_input_tokens", "$ai_reasoning_tokens", "$ai_cache_reporting_exclusive", "$ai_total_cost_usd",
            "$ai_cost_passthrough", "$ai_latency", "$ai_time_to_first_token", "$ai_http_status", "$ai_is_error", "$ai_stop_reason", "$ai_temperature",
            "$ai_max_tokens", "$ai_stream", "$ai_tools", "$ai_lib", "$ai_lib_version",
            "trace_name", "generation_name", "feature", "ab_test_group",
        ];
        Assert.Equal(expectedNames, Names(props));

        Assert.Equal("gen-1732612345-abc", props.GetProperty("$ai_trace_id").GetString());
        Assert.Equal("gen-1732612345-abc", props.GetProperty("$ai_span_id").GetString());
        Assert.Equal("Generate Recommendation", props.GetProperty("$ai_span_name").GetString());
        Assert.Equal("user_12345", props.GetProperty("$ai_user").GetString());
        Assert.Equal("session_abc", props.GetProperty("$ai_session_id").GetString());
        Assert.Equal("openai/gpt-4o-2024-08-06", props.GetProperty("$ai_model").GetString());
        Assert.Equal("OpenAI", props.GetProperty("$ai_provider").GetString());
        AssertJsonEqual("""[{"role":"user","content":"Recommend a product..."}]""", props.GetProperty("$ai_input"));
        AssertJsonEqual("""[{"role":"assistant","content":"Try..."}]""", props.GetProperty("$ai_output_choices"));
        Assert.Equal(194, props.GetProperty("$ai_input_tokens").GetInt64());
        Assert.Equal(52, props.GetProperty("$ai_output_tokens").GetInt64());
        Assert.Equal(0, props.GetProperty("$ai_cache_read_input_tokens").GetInt64());
        Assert.Equal(0, props.GetProperty("$ai_cache_creation_input_tokens").GetInt64());
        Assert.Equal(0, props.GetProperty("$ai_reasoning_tokens").GetInt64());
        Assert.False(props.GetProperty("$ai_cache_reporting_exclusive").GetBoolean());
        Assert.Equal(0.00123, props.GetProperty("$ai_total_cost_usd").GetDouble());
        Assert.Equal(1.234, props.GetProperty("$ai_latency").GetDouble());
        Assert.Equal(0.21, props.GetProperty("$ai_time_to_first_token").GetDouble());
        Assert.Equal(200, props.GetProperty("$ai_http_status").GetInt32());
        Assert.False(props.GetProperty("$ai_is_error").GetBoolean());
        Assert.Equal("stop", props.GetProperty("$ai_stop_reason").GetString());
        Assert.Equal(0.7, props.GetProperty("$ai_temperature").GetDouble());
        Assert.Equal(500, props.GetProperty("$ai_max_tokens").GetInt64());
        Assert.False(props.GetProperty("$ai_stream").GetBoolean());
        Assert.Equal("[]", props.GetProperty("$ai_tools").GetRawText());
        Assert.Equal("broadcastgrains", props.GetProperty("$ai_lib").GetString());
        Assert.Equal("0.1.0", props.GetProperty("$ai_lib_version").GetString());
        Assert.Equal("Product Recommendations", props.GetProperty("trace_name").GetString());
        Assert.Equal("Generate Recommendation", props.GetProperty("generation_name").GetString());
        Assert.Equal("shopping-assistant", props.GetProperty("feature").GetString());
        Assert.Equal("variant_b", props.GetProperty("ab_test_group").GetString());
    }

    [Fact]
    public void Absent_user_makes_an_anonymous_event_keyed_by_trace_id()
    {
        var ev = Event(Minimal() with { TraceId = "trace-9" });
        Assert.Equal("trace-9", ev.GetProperty("distinct_id").GetString());
        var props = ev.GetProperty("properties");
        Assert.Equal("trace-9", props.GetProperty("$ai_trace_id").GetString());
        Assert.Equal(JsonValueKind.False, props.GetProperty("$process_person_profile").ValueKind);
        AssertAbsent(props, "$ai_user");

        // without a trace id the generation id stands in, for both
        var noTrace = Event(Minimal() with { User = "" });
        Assert.Equal("gen-1", noTrace.GetProperty("distinct_id").GetString());
        Assert.False(noTrace.GetProperty("properties").GetProperty("$process_person_profile").GetBoolean());
    }

    [Fact]
    public void Minimal_record_has_no_nulls_and_no_optional_properties()
    {
        var ev = Event(Minimal());
        foreach (var p in ev.EnumerateObject()) Assert.NotEqual(JsonValueKind.Null, p.Value.ValueKind);
        var props = ev.GetProperty("properties");
        foreach (var p in props.EnumerateObject()) Assert.NotEqual(JsonValueKind.Null, p.Value.ValueKind);

        Assert.Equal(
            ["$ai_trace_id", "$ai_span_id", "$ai_model", "$ai_cache_reporting_exclusive", "$ai_is_error",
             "$ai_lib", "$ai_lib_version", "$process_person_profile"],
            Names(props));
        Assert.False(props.GetProperty("$ai_is_error").GetBoolean());
    }

    [Fact]
    public void Empty_raw_parts_count_as_absent()
    {
        var props = Props(Minimal() with { InputJson = [], OutputChoicesJson = [], ToolsJson = [], TraceJson = [] });
        AssertAbsent(props, "$ai_input");
        AssertAbsent(props, "$ai_output_choices");
        AssertAbsent(props, "$ai_tools");
    }

    [Fact]
    public void Privacy_mode_omits_exactly_input_and_output()
    {
        var full = Props(Seed());
        var @private = Props(Seed(), Options with { PrivacyMode = true });

        var expected = Names(full).Where(n => n is not ("$ai_input" or "$ai_output_choices")).ToList();
        Assert.Equal(expected, Names(@private));
        Assert.Contains("$ai_input", Names(full));
        Assert.Equal("variant_b", @private.GetProperty("ab_test_group").GetString());
        Assert.Equal("[]", @private.GetProperty("$ai_tools").GetRawText());
    }

    [Fact]
    public void Mapping_is_deterministic_and_independent_of_earlier_calls()
    {
        var first = MapJson(Seed());
        PostHogEventMapper.Map(Seed() with { InputJson = Utf8("[\"" + new string('x', 3_000_000) + "\"]") }, Options);
        Assert.Equal(first, MapJson(Seed()));
    }

    [Fact]
    public void Destination_changes_only_the_uuid()
    {
        var a = Event(Seed());
        var b = Event(Seed(), Options with { DestinationId = "dst_other" });
        Assert.NotEqual(a.GetProperty("uuid").GetString(), b.GetProperty("uuid").GetString());
        Assert.Equal(a.GetProperty("properties").GetRawText(), b.GetProperty("properties").GetRawText());
    }
}
