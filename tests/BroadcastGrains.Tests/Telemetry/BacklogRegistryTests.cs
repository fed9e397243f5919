using BroadcastGrains.Grains.Telemetry;

namespace BroadcastGrains.Tests.Telemetry;

public class BacklogRegistryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_report_replaces_the_destinations_previous_line()
    {
        var registry = new BacklogRegistry(new FixedClock(Now));
        registry.Report("w1/d1", 5, Now.AddSeconds(-3), "healthy");
        registry.Report("w2/d1", 7, Now.AddSeconds(-1), "healthy");
        registry.Report("w1/d1", 2, Now.AddSeconds(-2), "retrying");

        Assert.Equal(9, registry.TotalPending());
        Assert.Equal(2.0, registry.OldestAgeSeconds(), 3);
    }

    [Fact]
    public void Lines_with_nothing_pending_or_forgotten_do_not_count()
    {
        var registry = new BacklogRegistry(new FixedClock(Now));
        registry.Report("w1/d1", 4, Now.AddSeconds(-10), "healthy");
        registry.Report("w2/d1", 0, null, "healthy");
        registry.Report("w3/d1", 3, Now.AddSeconds(-4), "healthy");

        registry.Forget("w1/d1");

        Assert.Equal(3, registry.TotalPending());
        Assert.Equal(4.0, registry.OldestAgeSeconds(), 3);

        registry.Report("w3/d1", 0, null, "healthy");
        Assert.Equal(0, registry.TotalPending());
        Assert.Equal(0.0, registry.OldestAgeSeconds());
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
