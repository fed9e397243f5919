using System.Text;
using System.Text.Json;
using BroadcastGrains.PostHog.Mapping;
using static BroadcastGrains.Tests.Mapping.MappingFixtures;

namespace BroadcastGrains.Tests.Mapping;

public class PrivateContentTests
{
    [Fact]
    public void An_event_mapped_with_text_loses_exactly_the_text()
    {
        var open = PostHogEventMapper.Map(Seed(), Options).Json!;
        var stripped = PrivateContent.Strip(open);
        var expected = PostHogEventMapper.Map(Seed(), Options with { PrivacyMode = true }).Json!;

        using var a = JsonDocument.Parse(stripped);
        using var b = JsonDocument.Parse(expected);
        Assert.True(JsonElement.DeepEquals(a.RootElement, b.RootElement), Encoding.UTF8.GetString(stripped.Span));
        Assert.DoesNotContain("Recommend a product", Encoding.UTF8.GetString(stripped.Span));
    }

    [Fact]
    public void An_event_mapped_in_privacy_mode_is_passed_through_as_the_same_bytes()
    {
        ReadOnlyMemory<byte> json = PostHogEventMapper.Map(Seed(), Options with { PrivacyMode = true }).Json!;
        Assert.True(PrivateContent.Strip(json).Span == json.Span);
    }

    [Fact]
    public void Text_that_merely_names_the_properties_survives_and_metadata_is_untouched()
    {
        var record = Seed() with
        {
            InputJson = """[{"role":"user","content":"what is \"$ai_input\"?"}]"""u8.ToArray(),
            TraceJson = """{"$ai_input":"meta"}"""u8.ToArray(),
        };
        var stripped = Encoding.UTF8.GetString(PrivateContent.Strip(PostHogEventMapper.Map(record, Options).Json!).Span);
        using var doc = JsonDocument.Parse(stripped);
        var props = doc.RootElement.GetProperty("properties");
        Assert.False(props.TryGetProperty("$ai_input", out _));
        Assert.Equal("meta", props.GetProperty("metadata_$ai_input").GetString());
    }
}
