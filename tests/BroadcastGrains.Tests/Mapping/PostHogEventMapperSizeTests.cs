using System.Text;
using System.Text.Json;
using BroadcastGrains.PostHog;
using BroadcastGrains.PostHog.Mapping;
using static BroadcastGrains.Tests.Mapping.MappingFixtures;

namespace BroadcastGrains.Tests.Mapping;

/// <summary>The 900 KB cap: content shrinks first, metadata never, and nothing over the cap is returned.</summary>
public class PostHogEventMapperSizeTests
{
    private static string Message(string role, string content) =>
        "{\"role\":\"" + role + "\",\"content\":" + JsonSerializer.Serialize(content) + "}";

    [Fact]
    public void Limits_are_as_contracted()
    {
        Assert.Equal(921_600, PostHogLimits.MaxEventBytes);
        Assert.Equal(500, PostHogLimits.MaxBatchEvents);
        Assert.Equal(4_194_304, PostHogLimits.MaxBatchBytes);
    }

    [Fact]
    public void Two_megabyte_message_is_shortened_under_the_cap()
    {
        var content = new string('x', 2 * 1024 * 1024);
        var record = Seed() with { InputJson = Utf8("[" + Message("system", "be brief") + "," + Message("user", content) + "]") };

        var mapped = PostHogEventMapper.Map(record, Options);

        Assert.NotNull(mapped.Json);
        Assert.True(mapped.Truncated);
        Assert.InRange(mapped.Json.Length, 1, PostHogLimits.MaxEventBytes);
        using var doc = JsonDocument.Parse(mapped.Json);
        var props = doc.RootElement.GetProperty("properties");
        Assert.True(props.GetProperty("broadcast_truncated").GetBoolean());

        var input = props.GetProperty("$ai_input");
        Assert.Equal("be brief", input[0].GetProperty("content").GetString());
        Assert.Equal("user", input[1].GetProperty("role").GetString());
        var shortened = input[1].GetProperty("content").GetString()!;
        Assert.StartsWith("xxxx", shortened);
        Assert.EndsWith("…[truncated]", shortened);
        Assert.True(shortened.Length < content.Length);

        // the rest of the event is untouched
        AssertJsonEqual(SeedOutput, props.GetProperty("$ai_output_choices"));
        Assert.Equal("variant_b", props.GetProperty("ab_test_group").GetString());
        Assert.Equal(194, props.GetProperty("$ai_input_tokens").GetInt64());
    }

    [Fact]
    public void Shortening_never_splits_a_utf8_character()
    {
        var content = string.Concat(Enumerable.Repeat("é€😀", 300_000)); // 2, 3 and 4 byte sequences
        var record = Minimal() with { OutputChoicesJson = Utf8("[" + Message("assistant", content) + "]") };

        var mapped = PostHogEventMapper.Map(record, Options);

        Assert.True(mapped.Truncated);
        Assert.InRange(mapped.Json!.Length, 1, PostHogLimits.MaxEventBytes);
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(mapped.Json); // throws on a split sequence
        using var doc = JsonDocument.Parse(text);
        var shortened = doc.RootElement.GetProperty("properties").GetProperty("$ai_output_choices")[0].GetProperty("content").GetString()!;
        Assert.EndsWith("…[truncated]", shortened);
        Assert.StartsWith("é€😀é€😀", shortened);
        Assert.DoesNotContain('\uFFFD', shortened);
    }

    [Fact]
    public void Too_many_small_messages_drop_the_input_but_keep_the_output()
    {
        var input = "[" + string.Join(",", Enumerable.Repeat(Message("user", "hi"), 50_000)) + "]";
        var record = Seed() with { InputJson = Utf8(input) };

        var mapped = PostHogEventMapper.Map(record, Options);

        Assert.True(mapped.Truncated);
        Assert.InRange(mapped.Json!.Length, 1, PostHogLimits.MaxEventBytes);
        using var doc = JsonDocument.Parse(mapped.Json);
        var props = doc.RootElement.GetProperty("properties");
        Assert.False(props.TryGetProperty("$ai_input", out _));
        AssertJsonEqual(SeedOutput, props.GetProperty("$ai_output_choices"));
        Assert.True(props.GetProperty("broadcast_truncated").GetBoolean());
    }

    [Fact]
    public void Whitespace_that_compacts_under_the_cap_is_not_truncation()
    {
        var input = "[" + new string(' ', 1_000_000) + Message("user", "hi") + "]";
        var mapped = PostHogEventMapper.Map(Minimal() with { InputJson = Utf8(input) }, Options);

        Assert.False(mapped.Truncated);
        using var doc = JsonDocument.Parse(mapped.Json!);
        var props = doc.RootElement.GetProperty("properties");
        AssertJsonEqual("""[{"role":"user","content":"hi"}]""", props.GetProperty("$ai_input"));
        Assert.False(props.TryGetProperty("broadcast_truncated", out _));
    }

    [Fact]
    public void Privacy_mode_does_not_count_the_content_it_omits()
    {
        var record = Seed() with { InputJson = Utf8("[" + Message("user", new string('x', 2_000_000)) + "]") };
        var mapped = PostHogEventMapper.Map(record, Options with { PrivacyMode = true });

        Assert.False(mapped.Truncated);
        Assert.InRange(mapped.Json!.Length, 1, 4096);
    }

    [Fact]
    public void Metadata_too_large_to_fit_yields_no_event()
    {
        var trace = Utf8("{\"blob\":\"" + new string('m', 1_000_000) + "\"}");

        var withoutContent = PostHogEventMapper.Map(Minimal() with { TraceJson = trace }, Options);
        Assert.Null(withoutContent.Json);
        Assert.False(withoutContent.Truncated);

        // dropping the content is tried first, and is not enough
        var withContent = PostHogEventMapper.Map(Seed() with { TraceJson = trace }, Options);
        Assert.Null(withContent.Json);
    }

    [Fact]
    public void Metadata_just_under_the_cap_fits_by_dropping_content()
    {
        var trace = Utf8("{\"blob\":\"" + new string('m', 900_000) + "\"}");
        var record = Seed() with { TraceJson = trace, InputJson = Utf8("[" + Message("user", new string('x', 100_000)) + "]") };

        var mapped = PostHogEventMapper.Map(record, Options);

        Assert.True(mapped.Truncated);
        Assert.InRange(mapped.Json!.Length, 1, PostHogLimits.MaxEventBytes);
        using var doc = JsonDocument.Parse(mapped.Json);
        Assert.Equal(900_000, doc.RootElement.GetProperty("properties").GetProperty("blob").GetString()!.Length);
    }

    [Fact]
    public void Truncation_is_deterministic()
    {
        var record = Seed() with { InputJson = Utf8("[" + Message("user", new string('x', 2_000_000)) + "]") };
        Assert.Equal(PostHogEventMapper.Map(record, Options).Json, PostHogEventMapper.Map(record, Options).Json);
    }
}
