using BroadcastGrains.Host.Ingestion;

namespace BroadcastGrains.Tests.Ingestion;

public class RouteFreshnessTests
{
    [Theory]
    [InlineData(0, RouteFreshness.Fresh)]
    [InlineData(1_999, RouteFreshness.Fresh)]
    [InlineData(2_000, RouteFreshness.Refresh)]
    [InlineData(3_999, RouteFreshness.Refresh)]
    [InlineData(4_000, RouteFreshness.Expired)]
    [InlineData(60_000, RouteFreshness.Expired)]
    public void A_route_is_served_until_its_TTL_then_refreshed_behind_requests_until_twice_its_TTL(long ageMs, RouteFreshness expected) =>
        Assert.Equal(expected, RouteFreshness.Judge(ageMs, ttlMs: 2_000));

    [Fact]
    public void A_zero_TTL_never_serves_from_the_cache() =>
        Assert.Equal(RouteFreshness.Expired, RouteFreshness.Judge(0, ttlMs: 0));
}
