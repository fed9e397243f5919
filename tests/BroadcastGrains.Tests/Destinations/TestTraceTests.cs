using System.Text;
using BroadcastGrains.Host.Destinations;
using BroadcastGrains.PostHog.Mapping;

namespace BroadcastGrains.Tests.Destinations;

/// <summary>The synthetic trace of "Send test trace" (CONTRACT §8.4).</summary>
public class TestTraceTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(0.0001)]
    public void The_chosen_id_is_one_the_destinations_sampling_keeps(double rate)
    {
        var id = TestTrace.KeptId("dst_abcdefghijklmnop", rate);
        Assert.NotNull(id);
        Assert.StartsWith(TestTrace.IdPrefix, id);
        Assert.True(SessionSampler.Keep("dst_abcdefghijklmnop", null, id!, rate));
    }

    [Fact]
    public void A_rate_that_keeps_nothing_has_no_id()
    {
        Assert.Null(TestTrace.KeptId("dst_abcdefghijklmnop", 0));
    }

    [Fact]
    public void The_record_is_a_full_trace_marked_as_a_test()
    {
        var now = new DateTimeOffset(2026, 11, 30, 8, 0, 0, 123, TimeSpan.Zero);
        var record = TestTrace.Create("ws_a", "broadcast-test-0123456789abcdef0123", now);
        Assert.Equal("ws_a", record.WorkspaceId);
        Assert.Equal("broadcast-test-0123456789abcdef0123", record.GenerationId);
        Assert.Equal(now, record.Timestamp);
        Assert.Null(record.SessionId);
        Assert.Equal("broadcastgrains-test", record.User);
        Assert.Contains("\"trace_name\": \"BroadcastGrains test trace\"", Encoding.UTF8.GetString(record.TraceJson!));
        Assert.Contains("\"broadcast_test\": true", Encoding.UTF8.GetString(record.TraceJson!));
        Assert.NotNull(record.InputJson);
        Assert.NotNull(record.OutputChoicesJson);
        Assert.Equal(28, record.PromptTokens + record.CompletionTokens);
        Assert.Equal(200, record.HttpStatus);
    }
}
