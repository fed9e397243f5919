using BroadcastGrains.IntegrationTests.Support;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.IntegrationTests.Delivery;

public sealed class SendLaneConfigurationTests
{
    [Fact]
    public async Task Unusable_send_lane_bounds_stop_start_up_naming_the_key()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Delivery:MaxSlowSends"] = "0",
        }));
        Assert.Contains("Broadcast:Delivery:MaxSlowSends must be at least 1", ex.Message);
    }
}
