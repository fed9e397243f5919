using BroadcastGrains.Grains.Delivery;

namespace BroadcastGrains.Tests.Delivery;

public class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Cap = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);
    private static readonly TimeSpan FullLife = TimeSpan.FromHours(24);

    /// <summary>The defaults: Retry-After honoured up to an hour, the oldest event just accepted.</summary>
    private static TimeSpan Next(int failures, TimeSpan baseDelay, TimeSpan cap, TimeSpan? retryAfter, double random) =>
        Backoff.Next(failures, baseDelay, cap, retryAfter, random, MaxRetryAfter, FullLife);

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
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), Next(failures, Base, Cap, null, 1.0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(40)]
    public void Random_zero_gives_zero(int failures)
    {
        Assert.Equal(TimeSpan.Zero, Next(failures, Base, Cap, null, 0.0));
    }

    [Fact]
    public void Random_half_gives_half_the_ceiling()
    {
        Assert.Equal(TimeSpan.FromSeconds(4), Next(4, Base, Cap, null, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(150), Next(30, Base, Cap, null, 0.5));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(64)]
    [InlineData(int.MaxValue)]
    public void Cap_is_respected_for_many_failures(int failures)
    {
        var delay = Next(failures, Base, Cap, null, 1.0);
        Assert.Equal(Cap, delay);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void No_or_negative_failures_behave_like_the_first(int failures)
    {
        Assert.Equal(Base, Next(failures, Base, Cap, null, 1.0));
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(2.0)]
    public void Random_outside_unit_interval_is_clamped(double random)
    {
        var delay = Next(3, Base, Cap, null, random);
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
                var delay = Next(failures, Base, Cap, null, rng.NextDouble());
                Assert.InRange(delay, TimeSpan.Zero, ceiling);
            }
        }
    }

    [Fact]
    public void Retry_after_floor_wins_when_longer()
    {
        var retryAfter = TimeSpan.FromSeconds(30);
        Assert.Equal(retryAfter, Next(1, Base, Cap, retryAfter, 1.0));
        Assert.Equal(retryAfter, Next(3, Base, Cap, retryAfter, 0.0));
    }

    [Fact]
    public void Retry_after_beyond_the_cap_still_wins()
    {
        var retryAfter = TimeSpan.FromMinutes(10);
        Assert.Equal(retryAfter, Next(40, Base, Cap, retryAfter, 1.0));
    }

    [Fact]
    public void Longer_backoff_wins_over_shorter_retry_after()
    {
        Assert.Equal(TimeSpan.FromSeconds(8), Next(4, Base, Cap, TimeSpan.FromSeconds(2), 1.0));
        Assert.Equal(TimeSpan.FromSeconds(8), Next(4, Base, Cap, TimeSpan.Zero, 1.0));
    }

    [Fact]
    public void Base_and_cap_are_parameters()
    {
        var baseDelay = TimeSpan.FromMilliseconds(50);
        var cap = TimeSpan.FromMilliseconds(300);
        Assert.Equal(TimeSpan.FromMilliseconds(50), Next(1, baseDelay, cap, null, 1.0));
        Assert.Equal(TimeSpan.FromMilliseconds(200), Next(3, baseDelay, cap, null, 1.0));
        Assert.Equal(TimeSpan.FromMilliseconds(300), Next(4, baseDelay, cap, null, 1.0));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(24 * 365)]
    public void Retry_after_beyond_an_hour_is_honoured_for_an_hour(int hours)
    {
        Assert.Equal(MaxRetryAfter, Next(1, Base, Cap, TimeSpan.FromHours(hours), 1.0));
    }

    [Fact]
    public void Retry_after_of_exactly_the_cap_is_honoured_whole()
    {
        Assert.Equal(MaxRetryAfter, Next(1, Base, Cap, MaxRetryAfter, 0.0));
    }

    [Fact]
    public void Retry_after_never_runs_past_the_oldest_events_life()
    {
        var lifeLeft = TimeSpan.FromMinutes(20);
        Assert.Equal(lifeLeft, Backoff.Next(1, Base, Cap, TimeSpan.FromMinutes(50), 0.0, MaxRetryAfter, lifeLeft));
        Assert.Equal(lifeLeft, Backoff.Next(1, Base, Cap, TimeSpan.FromDays(3), 0.0, MaxRetryAfter, lifeLeft));
    }

    [Fact]
    public void A_shorter_retry_after_than_the_life_left_is_honoured_whole()
    {
        Assert.Equal(TimeSpan.FromMinutes(10), Backoff.Next(1, Base, Cap, TimeSpan.FromMinutes(10), 0.0, MaxRetryAfter, TimeSpan.FromMinutes(20)));
    }

    [Fact]
    public void With_the_oldest_event_already_expired_the_backoff_still_spaces_the_retries()
    {
        // Retry-After then counts for nothing, but the exponential backoff keeps applying: no hot loop when the
        // thing failing is, say, the dead-lettering of that very event.
        Assert.Equal(TimeSpan.FromSeconds(4), Backoff.Next(3, Base, Cap, TimeSpan.FromMinutes(30), 1.0, MaxRetryAfter, TimeSpan.FromMinutes(-5)));
        Assert.Equal(TimeSpan.Zero, Backoff.Next(3, Base, Cap, TimeSpan.FromMinutes(30), 0.0, MaxRetryAfter, TimeSpan.FromMinutes(-5)));
    }

    [Fact]
    public void The_backoff_itself_is_not_cut_by_the_life_left()
    {
        Assert.Equal(TimeSpan.FromSeconds(8), Backoff.Next(4, Base, Cap, null, 1.0, MaxRetryAfter, TimeSpan.FromSeconds(1)));
    }
}
