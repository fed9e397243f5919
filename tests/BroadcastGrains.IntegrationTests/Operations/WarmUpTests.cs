using BroadcastGrains.Host.WarmUp;
using BroadcastGrains.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace BroadcastGrains.IntegrationTests.Operations;

public sealed class WarmUpTests
{
    [Fact]
    public async Task Readyz_answers_503_until_the_hot_path_warm_up_is_done_and_200_after()
    {
        var hold = new WarmUpHold();
        await using var host = await TestHost.StartAsync(services: s => s.AddSingleton(hold));
        var warmUp = host.Services.GetRequiredService<HotPathWarmUp>();

        var early = await host.Anonymous().Get("/readyz");
        Assert.Equal(503, early.Status);
        Assert.Equal("application/problem+json", early.ContentType);
        Assert.Contains("warming up", early.Body);
        Assert.False(warmUp.Done);

        hold.Release();
        var ready = await Eventually.Value(() => host.Anonymous().Get("/readyz"), r => r.Status == 200, "/readyz 200 after the warm-up");
        Assert.Contains("ready", ready.Body);
        Assert.True(warmUp.Done);
        // It ran the sample through the whole path rather than giving up on a failure. (Asked of this host's warm-up,
        // not of the captured logs, which every host of the test run shares.)
        Assert.Equal(3, warmUp.RequestsRun);
    }
}
