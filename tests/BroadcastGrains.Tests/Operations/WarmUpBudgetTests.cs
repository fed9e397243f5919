using BroadcastGrains.Host.WarmUp;
using Microsoft.Extensions.Time.Testing;

namespace BroadcastGrains.Tests.Operations;

public sealed class WarmUpBudgetTests
{
    [Fact]
    public void Stops_after_the_configured_requests_when_time_is_left()
    {
        var clock = new FakeTimeProvider();
        var budget = new WarmUpBudget(3, TimeSpan.FromSeconds(15), clock);

        Assert.True(budget.Continue(0));
        Assert.True(budget.Continue(2));
        Assert.False(budget.Continue(3));
    }

    [Fact]
    public void Stops_at_the_time_limit_with_requests_left()
    {
        var clock = new FakeTimeProvider();
        var budget = new WarmUpBudget(3000, TimeSpan.FromSeconds(15), clock);

        clock.Advance(TimeSpan.FromSeconds(14.9));
        Assert.True(budget.Continue(10));
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.False(budget.Continue(11));
    }
}
