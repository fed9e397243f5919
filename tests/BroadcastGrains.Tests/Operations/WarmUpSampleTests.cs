using BroadcastGrains.Host.WarmUp;
using BroadcastGrains.Ingestion;
using BroadcastGrains.PostHog.Mapping;
using Xunit;

namespace BroadcastGrains.Tests.Operations;

public sealed class WarmUpSampleTests
{
    [Fact]
    public void The_warm_up_body_parses_into_valid_records_that_all_map()
    {
        var batch = TraceBatchParser.Parse(WarmUpSample.Body(100), DateTimeOffset.UtcNow);
        Assert.True(batch.IsValid, string.Join("; ", batch.Errors.Select(e => $"{e.Field}: {e.Message}")));
        Assert.Equal(100, batch.Records.Count);
        var options = new EventMappingOptions(WarmUpSample.Workspace, "d", PrivacyMode: false, "test");
        Assert.All(batch.Records, r => Assert.NotNull(PostHogEventMapper.Map(r, options).Json));
        Assert.Contains(batch.Records, r => r.InputJson is not null);
    }
}
