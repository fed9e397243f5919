using BroadcastGrains.Grains.Delivery;

namespace BroadcastGrains.Tests.Delivery;

public class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Cap = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    [InlineData(8, 128)]
    [InlineData(9, 256)]
    [InlineData(10, 300)]   // 512 s capped at 5 min
    [InlineData(20, 300)]
    public void Random_one_gives_the_capped_exponential_ceiling(int failures, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), Backoff.Next(failures, Base, Cap, null, 1.0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(40)]
    public void Random_zero_gives_zero(int failures)
    {
        Assert.Equal(TimeSpan.Zero, Backoff.Next(failures, Base, Cap, null, 0.0));
    }

    [Fact]
    public void Random_half_gives_half_the_ceiling()
    {
        Assert.Equal(TimeSpan.FromSeconds(4), Backoff.Next(4, Base, Cap, null, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(150), Backoff.Next(30, Base, Cap, null, 0.5));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(64)]
    [InlineData(int.MaxValue)]
    public void Cap_is_respected_for_many_failures(int failures)
    {
        var delay = Backoff.Next(failures, Base, Cap, null, 1.0);
        Assert.Equal(Cap, delay);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void No_or_negative_failures_behave_like_the_first(int failures)
    {
        Assert.Equal(Base, Backoff.Next(failures, Base, Cap, null, 1.0));
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(2.0)]
    public void Random_outside_unit_interval_is_clamped(double random)
    {
        var delay = Backoff.Next(3, Base, Cap, null, random);
        Assert.Equal(random < 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(4), delay);
    }

    [Fact]
    public void Full_jitter_stays_within_zero_and_the_ceiling()
    {
        var rng = new Random(12345);
        for (var failures = 1; failures <= 40; failures++)
        {
            var ceiling = TimeSpan.FromMilliseconds(Math.Min(Cap.TotalMilliseconds, Base.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30))));
            for (var i = 0; i < 100; i++)
            {
                var delay = Backoff.Next(failures, Base, Cap, null, rng.NextDouble());
                Assert.InRange(delay, TimeSpan.Zero, ceiling);
            }
        }
    }

    [Fact]
    public void Retry_after_floor_wins_when_longer()
    {
        var retryAfter = TimeSpan.FromSeconds(30);
        Assert.Equal(retryAfter, Backoff.Next(1, Base, Cap, retryAfter, 1.0));
        Assert.Equal(retryAfter, Backoff.Next(3, Base, Cap, retryAfter, 0.0));
    }

    [Fact]
    public void Retry_after_beyond_the_cap_still_wins()
    {
        var retryAfter = TimeSpan.FromMinutes(10);
        Assert.Equal(retryAfter, Backoff.Next(40, Base, Cap, retryAfter, 1.0));
    }

    [Fact]
    public void Longer_backoff_wins_over_shorter_retry_after()
    {
        Assert.Equal(TimeSpan.FromSeconds(8), Backoff.Next(4, Base, Cap, TimeSpan.FromSeconds(2), 1.0));
        Assert.Equal(TimeSpan.FromSeconds(8), Backoff.Next(4, Base, Cap, TimeSpan.Zero, 1.0));
    }

    [Fact]
    public void Base_and_cap_are_parameters()
    {
        var baseDelay = TimeSpan.FromMilliseconds(50);
        var cap = TimeSpan.FromMilliseconds(300);
        Assert.Equal(TimeSpan.FromMilliseconds(50), Backoff.Next(1, baseDelay, cap, null, 1.0));
        Assert.Equal(TimeSpan.FromMilliseconds(200), Backoff.Next(3, baseDelay, cap, null, 1.0));
        Assert.Equal(TimeSpan.FromMilliseconds(300), Backoff.Next(4, baseDelay, cap, null, 1.0));
    }
}
