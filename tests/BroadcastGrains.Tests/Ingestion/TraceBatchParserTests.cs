using System.Text;
using BroadcastGrains.Ingestion;
using System.Text.Json.Nodes;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Tests.Ingestion;

public class TraceBatchParserTests
{
    private static readonly DateTimeOffset ReceivedAt = new(2026, 12, 1, 8, 30, 0, TimeSpan.Zero);

    /// <summary>The example record of CONTRACT §4, verbatim.</summary>
    private static readonly string SeedJson = TraceJson.SeedText("ws_123", "gen-1732612345-abc");

    private const string MinimalJson = """{"workspace_id": "ws_1", "generation_id": "gen-1", "request": {"model": "m"}}""";

    private static TraceBatch Parse(string json, int maxRecords = TraceLimits.MaxRecordsPerRequest) =>
        TraceBatchParser.Parse(Encoding.UTF8.GetBytes(json), ReceivedAt, maxRecords);

    private static TraceRecord ParseOne(string json)
    {
        var batch = Parse(json);
        Assert.True(batch.IsValid, string.Join("; ", batch.Errors));
        return Assert.Single(batch.Records);
    }

    private static TraceRecord ParseOne(JsonNode node) => ParseOne(node.ToJsonString());

    private static JsonObject Minimal() => JsonNode.Parse(MinimalJson)!.AsObject();

    private static JsonObject Seed() => JsonNode.Parse(SeedJson)!.AsObject();

    private static string Text(byte[]? utf8)
    {
        Assert.NotNull(utf8);
        return Encoding.UTF8.GetString(utf8);
    }

    /// <summary>Asserts the batch is rejected with exactly one error, on <paramref name="field"/>, and nothing is returned.</summary>
    private static FieldError AssertSingleError(TraceBatch batch, string field)
    {
        Assert.False(batch.IsValid);
        Assert.Empty(batch.Records);
        var error = Assert.Single(batch.Errors);
        Assert.Equal(field, error.Field);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        return error;
    }

    /// <summary>Asserts the batch is rejected, nothing is returned, and some error names <paramref name="field"/>.</summary>
    private static void AssertErrorOn(TraceBatch batch, string field)
    {
        Assert.False(batch.IsValid);
        Assert.Empty(batch.Records);
        Assert.Contains(batch.Errors, e => e.Field == field);
    }

    // ---- the seed example ----

    [Fact]
    public void Seed_example_parses_with_every_field_resolved()
    {
        var batch = Parse(SeedJson);

        Assert.True(batch.IsValid);
        Assert.Empty(batch.Errors);
        Assert.False(batch.TooManyRecords);
        var r = Assert.Single(batch.Records);

        Assert.Equal("ws_123", r.WorkspaceId);
        Assert.Equal("gen-1732612345-abc", r.GenerationId);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero), r.Timestamp);
        Assert.Equal("openai/gpt-4o", r.RequestModel);
        Assert.Equal("openai/gpt-4o-2024-08-06", r.ResponseModel);
        Assert.Equal("OpenAI", r.Provider);
        Assert.Equal("user_12345", r.User);
        Assert.Equal("session_abc", r.SessionId);
        Assert.Null(r.TraceId);
        Assert.Equal("Generate Recommendation", r.GenerationName);
        Assert.Null(r.ParentSpanId);
        var traceStart = SeedJson.IndexOf("{\"trace_name\"", StringComparison.Ordinal);
        var traceEnd = SeedJson.IndexOf("\"variant_b\"}", StringComparison.Ordinal) + "\"variant_b\"}".Length;
        Assert.Equal(SeedJson[traceStart..traceEnd], Text(r.TraceJson));
        Assert.Equal("""[{"role": "user", "content": "Recommend a product..."}]""", Text(r.InputJson));
        Assert.Equal("""[{"role": "assistant", "content": "Try..."}]""", Text(r.OutputChoicesJson));
        Assert.Equal("stop", r.StopReason);
        Assert.Equal(194, r.PromptTokens);
        Assert.Equal(52, r.CompletionTokens);
        Assert.Equal(0, r.CachedTokens);
        Assert.Equal(0, r.CacheWriteTokens);
        Assert.Equal(0, r.ReasoningTokens);
        Assert.Equal(0.00123, r.Cost);
        Assert.Equal(1234, r.LatencyMs);
        Assert.Equal(210, r.TimeToFirstTokenMs);
        Assert.Equal(200, r.HttpStatus);
        Assert.False(r.HasError);
        Assert.Null(r.ErrorMessage);
        Assert.Equal(0.7, r.Temperature);
        Assert.Equal(500, r.MaxTokens);
        Assert.False(r.Stream);
        Assert.Equal("[]", Text(r.ToolsJson));
        Assert.True(r.SizeHint > 0 && r.SizeHint <= Encoding.UTF8.GetByteCount(SeedJson));
    }

    [Fact]
    public void Minimal_record_leaves_optional_fields_null()
    {
        var r = ParseOne(MinimalJson);

        Assert.Equal("ws_1", r.WorkspaceId);
        Assert.Equal("gen-1", r.GenerationId);
        Assert.Equal("m", r.RequestModel);
        Assert.Equal(ReceivedAt, r.Timestamp);
        Assert.Null(r.ResponseModel);
        Assert.Null(r.Provider);
        Assert.Null(r.User);
        Assert.Null(r.SessionId);
        Assert.Null(r.TraceJson);
        Assert.Null(r.InputJson);
        Assert.Null(r.OutputChoicesJson);
        Assert.Null(r.StopReason);
        Assert.Null(r.PromptTokens);
        Assert.Null(r.Cost);
        Assert.Null(r.LatencyMs);
        Assert.Null(r.HttpStatus);
        Assert.False(r.HasError);
        Assert.Null(r.MaxTokens);
        Assert.Null(r.Stream);
        Assert.Null(r.ToolsJson);
    }

    // ---- individual resolutions ----

    [Fact]
    public void Provider_falls_back_to_response_provider()
    {
        var node = Seed();
        node.Remove("provider");
        node["response"]!["provider"] = "Anthropic";
        Assert.Equal("Anthropic", ParseOne(node).Provider);

        var both = Seed();
        both["provider"] = "Top";
        both["response"]!["provider"] = "Nested";
        Assert.Equal("Top", ParseOne(both).Provider);
    }

    [Fact]
    public void Trace_ids_come_from_request_trace()
    {
        var node = Minimal();
        node["request"]!["trace"] = new JsonObject
        {
            ["trace_id"] = "trace-9",
            ["generation_name"] = "gen-name",
            ["parent_span_id"] = "span-7",
            ["feature"] = "x",
        };
        var r = ParseOne(node);

        Assert.Equal("trace-9", r.TraceId);
        Assert.Equal("gen-name", r.GenerationName);
        Assert.Equal("span-7", r.ParentSpanId);
        Assert.Equal("""{"trace_id":"trace-9","generation_name":"gen-name","parent_span_id":"span-7","feature":"x"}""", Text(r.TraceJson));
    }

    [Fact]
    public void Numeric_trace_ids_are_taken_as_their_text()
    {
        var r = ParseOne("""{"workspace_id": "ws_1", "generation_id": "g", "request": {"model": "m", "trace": {"trace_id": 12345, "parent_span_id": 7}}}""");
        Assert.Equal("12345", r.TraceId);
        Assert.Equal("7", r.ParentSpanId);
    }

    [Fact]
    public void Prompt_string_becomes_one_user_message()
    {
        var node = Minimal();
        node["request"]!["prompt"] = "hello";
        Assert.Equal("""[{"role":"user","content":"hello"}]""", Text(ParseOne(node).InputJson));

        node["request"]!["prompt"] = "Say \"hi\"";
        var r = ParseOne(node);
        var parsed = JsonNode.Parse(r.InputJson!)!.AsArray();
        var message = Assert.Single(parsed)!;
        Assert.Equal("user", (string?)message["role"]);
        Assert.Equal("Say \"hi\"", (string?)message["content"]);
    }

    [Fact]
    public void Messages_win_over_prompt()
    {
        var r = ParseOne("""{"workspace_id": "ws_1", "generation_id": "g", "request": {"model": "m", "prompt": "p", "messages": [{"role":"system","content":"s"}]}}""");
        Assert.Equal("""[{"role":"system","content":"s"}]""", Text(r.InputJson));
    }

    [Fact]
    public void Output_choices_are_the_message_of_each_choice_and_stop_reason_is_the_first()
    {
        var r = ParseOne("""
            {"workspace_id": "ws_1", "generation_id": "g", "request": {"model": "m"},
             "response": {"choices": [
               {"index": 0, "message": {"role": "assistant", "content": "a"}, "finish_reason": "length"},
               {"index": 1, "message": {"role": "assistant", "content": "b"}, "finish_reason": "stop"}]}}
            """);

        Assert.Equal("""[{"role": "assistant", "content": "a"},{"role": "assistant", "content": "b"}]""", Text(r.OutputChoicesJson));
        Assert.Equal("length", r.StopReason);
    }

    [Fact]
    public void Http_status_is_status_when_given()
    {
        var node = Seed();
        node["status"] = 429;
        var r = ParseOne(node);
        Assert.Equal(429, r.HttpStatus);
        Assert.True(r.HasError);
    }

    [Fact]
    public void Http_status_defaults_to_200_with_a_response()
    {
        var node = Seed();
        node.Remove("status");
        var r = ParseOne(node);
        Assert.Equal(200, r.HttpStatus);
        Assert.False(r.HasError);
    }

    [Fact]
    public void Http_status_without_response_is_error_code()
    {
        var node = Minimal();
        node["error"] = new JsonObject { ["code"] = 503, ["message"] = "upstream overloaded" };
        var r = ParseOne(node);

        Assert.Equal(503, r.HttpStatus);
        Assert.True(r.HasError);
        Assert.Equal("upstream overloaded", r.ErrorMessage);
    }

    [Fact]
    public void Symbolic_error_code_gives_no_status()
    {
        var node = Minimal();
        node["error"] = new JsonObject { ["code"] = "rate_limited", ["message"] = "slow down" };
        var r = ParseOne(node);

        Assert.Null(r.HttpStatus);
        Assert.True(r.HasError);
        Assert.Equal("slow down", r.ErrorMessage);
    }

    [Fact]
    public void Error_as_string_is_the_message()
    {
        var node = Minimal();
        node["error"] = "connection reset";
        var r = ParseOne(node);

        Assert.True(r.HasError);
        Assert.Equal("connection reset", r.ErrorMessage);
        Assert.Null(r.HttpStatus);
    }

    [Fact]
    public void Error_null_is_no_error()
    {
        var r = ParseOne("""{"workspace_id": "ws_1", "generation_id": "g", "request": {"model": "m"}, "error": null}""");
        Assert.False(r.HasError);
        Assert.Null(r.ErrorMessage);
    }

    [Fact]
    public void Status_400_or_more_is_an_error_even_without_error_object()
    {
        var node = Minimal();
        node["status"] = 400;
        Assert.True(ParseOne(node).HasError);

        node["status"] = 399;
        Assert.False(ParseOne(node).HasError);
    }

    [Fact]
    public void Max_tokens_falls_back_to_max_completion_tokens()
    {
        var completionOnly = Minimal();
        completionOnly["request"]!["max_completion_tokens"] = 77;
        Assert.Equal(77, ParseOne(completionOnly).MaxTokens);

        var both = Minimal();
        both["request"]!["max_tokens"] = 10;
        both["request"]!["max_completion_tokens"] = 77;
        Assert.Equal(10, ParseOne(both).MaxTokens);
    }

    [Fact]
    public void Stream_and_tools_are_read_from_request()
    {
        var r = ParseOne("""{"workspace_id": "ws_1", "generation_id": "g", "request": {"model": "m", "stream": true, "tools": [{"type": "function"}]}}""");
        Assert.True(r.Stream);
        Assert.Equal("""[{"type": "function"}]""", Text(r.ToolsJson));
    }

    [Fact]
    public void Timestamp_is_created_at_in_utc()
    {
        var node = Minimal();
        node["created_at"] = "2026-11-26T13:00:05.123+01:00";
        var r = ParseOne(node);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 12, 0, 5, 123, TimeSpan.Zero), r.Timestamp);
        Assert.Equal(TimeSpan.Zero, r.Timestamp.Offset);
    }

    [Fact]
    public void Timestamp_without_created_at_is_received_at()
    {
        Assert.Equal(ReceivedAt, ParseOne(MinimalJson).Timestamp);
        Assert.Equal(ReceivedAt, ParseOne("""{"workspace_id": "ws_1", "generation_id": "g", "request": {"model": "m"}, "created_at": null}""").Timestamp);
    }

    [Fact]
    public void Unknown_properties_are_skipped_at_every_level()
    {
        var r = ParseOne("""
            {"extra": {"deep": [1, {"x": null}]}, "workspace_id": "ws_1", "generation_id": "g",
             "request": {"model": "m", "top_p": 0.9, "response_format": {"type": "json"}},
             "response": {"object": "chat.completion", "usage": {"total_tokens": 3, "prompt_tokens": 1}}}
            """);
        Assert.Equal("m", r.RequestModel);
        Assert.Equal(1, r.PromptTokens);
    }

    [Fact]
    public void Properties_may_arrive_in_any_order()
    {
        var r = ParseOne("""{"request": {"model": "m"}, "generation_id": "g", "workspace_id": "ws_1"}""");
        Assert.Equal("ws_1", r.WorkspaceId);
        Assert.Equal("g", r.GenerationId);
    }

    // ---- body shapes ----

    [Fact]
    public void Array_body_yields_records_in_order()
    {
        var batch = Parse($"""[{MinimalJson}, {MinimalJson.Replace("gen-1", "gen-2")}, {MinimalJson.Replace("gen-1", "gen-3")}]""");

        Assert.True(batch.IsValid);
        Assert.Equal(["gen-1", "gen-2", "gen-3"], batch.Records.Select(r => r.GenerationId));
    }

    [Fact]
    public void Single_object_body_yields_one_record()
    {
        var batch = Parse(MinimalJson);
        Assert.True(batch.IsValid);
        Assert.Equal("gen-1", Assert.Single(batch.Records).GenerationId);
    }

    [Fact]
    public void Records_may_belong_to_different_workspaces()
    {
        var batch = Parse($"""[{MinimalJson}, {MinimalJson.Replace("ws_1", "ws_2")}]""");
        Assert.True(batch.IsValid);
        Assert.Equal(["ws_1", "ws_2"], batch.Records.Select(r => r.WorkspaceId));
    }

    [Fact]
    public void Empty_array_has_no_errors_and_no_records()
    {
        var batch = Parse("[]");
        Assert.True(batch.IsValid);
        Assert.Empty(batch.Errors);
        Assert.Empty(batch.Records);
        Assert.False(batch.TooManyRecords);
    }

    [Fact]
    public void Exactly_the_limit_is_accepted()
    {
        var json = "[" + string.Join(",", Enumerable.Range(0, TraceLimits.MaxRecordsPerRequest).Select(i => MinimalJson.Replace("gen-1", $"gen-{i}"))) + "]";
        var batch = Parse(json);

        Assert.True(batch.IsValid);
        Assert.False(batch.TooManyRecords);
        Assert.Equal(TraceLimits.MaxRecordsPerRequest, batch.Records.Count);
    }

    [Fact]
    public void More_than_1000_records_is_too_many_and_returns_nothing()
    {
        Assert.Equal(1000, TraceLimits.MaxRecordsPerRequest);
        var json = "[" + string.Join(",", Enumerable.Repeat(MinimalJson, 1001)) + "]";
        var batch = Parse(json);

        Assert.True(batch.TooManyRecords);
        Assert.False(batch.IsValid);
        Assert.Empty(batch.Records);
    }

    [Fact]
    public void Max_records_argument_is_honoured()
    {
        var json = "[" + string.Join(",", Enumerable.Repeat(MinimalJson, 3)) + "]";
        Assert.True(Parse(json, maxRecords: 2).TooManyRecords);
        Assert.False(Parse(json, maxRecords: 3).TooManyRecords);
    }

    // ---- errors: required and identity fields ----

    [Fact]
    public void Missing_request_model_in_second_record_names_index_and_field()
    {
        var batch = Parse("[" + MinimalJson + """, {"workspace_id": "ws_1", "generation_id": "gen-2", "request": {"messages": []}}]""");
        AssertSingleError(batch, "[1].request.model");
    }

    [Fact]
    public void Empty_request_model_is_required()
    {
        AssertSingleError(Parse("""{"workspace_id": "ws_1", "generation_id": "g", "request": {"model": ""}}"""), "request.model");
    }

    [Fact]
    public void Missing_request_is_required()
    {
        AssertSingleError(Parse("""{"workspace_id": "ws_1", "generation_id": "g"}"""), "request");
        AssertSingleError(Parse("""{"workspace_id": "ws_1", "generation_id": "g", "request": null}"""), "request");
    }

    [Fact]
    public void Missing_workspace_id_in_first_record_names_index()
    {
        var batch = Parse("""[{"generation_id": "g", "request": {"model": "m"}}]""");
        AssertSingleError(batch, "[0].workspace_id");
    }

    [Theory]
    [InlineData("")]
    [InlineData("ws 1")]
    [InlineData("ws/1")]
    [InlineData("wś")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 65
    public void Invalid_workspace_id_is_rejected(string workspaceId)
    {
        var node = Minimal();
        node["workspace_id"] = workspaceId;
        AssertSingleError(Parse(node.ToJsonString()), "workspace_id");
    }

    [Fact]
    public void Workspace_id_of_64_characters_is_accepted()
    {
        var node = Minimal();
        node["workspace_id"] = new string('a', 64);
        Assert.Equal(new string('a', 64), ParseOne(node).WorkspaceId);
    }

    [Fact]
    public void Missing_generation_id_in_single_object_has_no_index()
    {
        AssertSingleError(Parse("""{"workspace_id": "ws_1", "request": {"model": "m"}}"""), "generation_id");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(129)]
    public void Generation_id_outside_1_to_128_characters_is_rejected(int length)
    {
        var node = Minimal();
        node["generation_id"] = new string('g', length);
        AssertSingleError(Parse(node.ToJsonString()), "generation_id");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(128)]
    public void Generation_id_of_1_to_128_characters_is_accepted(int length)
    {
        var node = Minimal();
        node["generation_id"] = new string('g', length);
        Assert.Equal(length, ParseOne(node).GenerationId.Length);
    }

    // ---- errors: wrong types ----

    [Theory]
    [InlineData("workspace_id", "5")]
    [InlineData("generation_id", "{}")]
    [InlineData("created_at", "\"yesterday\"")]
    [InlineData("created_at", "1732612345")]
    [InlineData("provider", "[\"OpenAI\"]")]
    [InlineData("latency_ms", "\"1234\"")]
    [InlineData("latency_ms", "-1")]
    [InlineData("time_to_first_token_ms", "true")]
    [InlineData("status", "\"200\"")]
    [InlineData("status", "99")]
    [InlineData("status", "600")]
    [InlineData("status", "200.5")]
    [InlineData("error", "5")]
    [InlineData("error", "[]")]
    [InlineData("request", "\"openai/gpt-4o\"")]
    [InlineData("response", "[]")]
    public void Wrong_type_at_top_level_names_the_field(string field, string value)
    {
        var json = MinimalJson[..^1] + $", \"{field}\": {value}}}";
        AssertErrorOn(Parse(json), field);
        // and the error is on exactly that field, not somewhere else
        Assert.All(Parse(json).Errors, e => Assert.StartsWith(field, e.Field));
    }

    [Theory]
    [InlineData("model", "5")]
    [InlineData("messages", "{}")]
    [InlineData("messages", "\"hello\"")]
    [InlineData("prompt", "[]")]
    [InlineData("user", "12345")]
    [InlineData("session_id", "false")]
    [InlineData("trace", "[]")]
    [InlineData("temperature", "\"hot\"")]
    [InlineData("max_tokens", "\"500\"")]
    [InlineData("max_tokens", "1.5")]
    [InlineData("max_tokens", "-1")]
    [InlineData("max_completion_tokens", "\"500\"")]
    [InlineData("stream", "\"yes\"")]
    [InlineData("stream", "1")]
    [InlineData("tools", "{}")]
    public void Wrong_type_in_request_names_the_field(string field, string value)
    {
        var model = field == "model" ? "" : "\"model\": \"m\", ";
        var json = "[" + MinimalJson + """, {"workspace_id": "ws_1", "generation_id": "g", "request": {""" + model + $"\"{field}\": {value}" + "}}]";
        AssertErrorOn(Parse(json), $"[1].request.{field}");
    }

    [Theory]
    [InlineData("""{"model": 5}""", "response.model")]
    [InlineData("""{"provider": 5}""", "response.provider")]
    [InlineData("""{"choices": {}}""", "response.choices")]
    [InlineData("""{"choices": [1]}""", "response.choices[0]")]
    [InlineData("""{"choices": [{"message": "hi"}]}""", "response.choices[0].message")]
    [InlineData("""{"choices": [{"finish_reason": 1}]}""", "response.choices[0].finish_reason")]
    [InlineData("""{"usage": []}""", "response.usage")]
    [InlineData("""{"usage": {"prompt_tokens": "194"}}""", "response.usage.prompt_tokens")]
    [InlineData("""{"usage": {"completion_tokens": 1.5}}""", "response.usage.completion_tokens")]
    [InlineData("""{"usage": {"cost": "0.1"}}""", "response.usage.cost")]
    [InlineData("""{"usage": {"cost": -0.1}}""", "response.usage.cost")]
    [InlineData("""{"usage": {"prompt_tokens_details": 0}}""", "response.usage.prompt_tokens_details")]
    [InlineData("""{"usage": {"prompt_tokens_details": {"cached_tokens": "0"}}}""", "response.usage.prompt_tokens_details.cached_tokens")]
    [InlineData("""{"usage": {"prompt_tokens_details": {"cache_write_tokens": -3}}}""", "response.usage.prompt_tokens_details.cache_write_tokens")]
    [InlineData("""{"usage": {"completion_tokens_details": []}}""", "response.usage.completion_tokens_details")]
    [InlineData("""{"usage": {"completion_tokens_details": {"reasoning_tokens": "0"}}}""", "response.usage.completion_tokens_details.reasoning_tokens")]
    public void Wrong_type_in_response_names_the_field(string response, string field)
    {
        var json = MinimalJson[..^1] + $", \"response\": {response}}}";
        AssertSingleError(Parse(json), field);
        AssertSingleError(Parse("[" + MinimalJson + "," + json + "]"), "[1]." + field);
    }

    [Fact]
    public void Error_message_of_wrong_type_names_error_message()
    {
        var json = MinimalJson[..^1] + """, "error": {"message": 42}}""";
        AssertSingleError(Parse(json), "error.message");
    }

    // ---- errors: body ----

    [Theory]
    [InlineData("{\"workspace_id\": ")]
    [InlineData("{'workspace_id': 'ws_1'}")]
    [InlineData("[{\"workspace_id\": \"ws_1\",}]")]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[")]
    [InlineData("[{")]
    public void Invalid_json_is_an_error_on_body(string json)
    {
        AssertSingleError(Parse(json), "body");
    }

    [Theory]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    [InlineData("true")]
    public void Body_that_is_neither_object_nor_array_is_an_error_on_body(string json)
    {
        AssertSingleError(Parse(json), "body");
    }

    [Fact]
    public void Content_after_the_value_is_an_error_on_body()
    {
        AssertSingleError(Parse(MinimalJson + " {}"), "body");
        AssertSingleError(Parse("[" + MinimalJson + "] []"), "body");
        AssertSingleError(Parse(MinimalJson + " x"), "body");
        AssertSingleError(Parse(MinimalJson + " // comment"), "body");
    }

    [Fact]
    public void Trailing_whitespace_is_fine()
    {
        Assert.True(Parse(MinimalJson + " \r\n\t ").IsValid);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("\"record\"")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("[{\"workspace_id\": \"ws_1\"}]")]
    public void Non_object_array_element_is_an_error_on_its_index(string element)
    {
        var batch = Parse($"[{MinimalJson}, {element}, {MinimalJson}]");
        AssertSingleError(batch, "[1]");
    }

    [Fact]
    public void Any_bad_record_means_no_records_at_all()
    {
        var good = MinimalJson;
        var bad = """{"workspace_id": "ws_1", "request": {"model": "m"}}""";

        foreach (var json in new[] { $"[{good}, {bad}]", $"[{bad}, {good}]", $"[{good}, {good}, {bad}, {good}]" })
        {
            var batch = Parse(json);
            Assert.False(batch.IsValid);
            Assert.Empty(batch.Records);
            Assert.Single(batch.Errors);
        }
    }

    [Fact]
    public void Good_records_before_a_syntax_error_are_not_returned()
    {
        var batch = Parse($"[{MinimalJson}, {MinimalJson}, {{\"workspace_id\": ");
        AssertSingleError(batch, "body");
    }

    [Fact]
    public void Every_bad_record_is_reported()
    {
        var batch = Parse("""[{"generation_id": "a", "request": {"model": "m"}}, {"workspace_id": "ws_1", "request": {"model": "m"}}]""");
        Assert.Empty(batch.Records);
        Assert.Equal(["[0].workspace_id", "[1].generation_id"], batch.Errors.Select(e => e.Field));
    }

    [Fact]
    public void Reported_errors_are_capped()
    {
        var json = "[" + string.Join(",", Enumerable.Repeat("{}", 40)) + "]"; // 3 errors each
        var batch = Parse(json);

        Assert.False(batch.IsValid);
        Assert.Empty(batch.Records);
        Assert.Equal(TraceLimits.MaxReportedErrors, batch.Errors.Count);
        Assert.Equal("[0].workspace_id", batch.Errors[0].Field);
    }
}
