using BroadcastGrains.Grains.Delivery;

namespace BroadcastGrains.Tests.Delivery;

public class LingerJitterTests
{
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(0.0, 1000)]
    [InlineData(0.5, 900)]
    [InlineData(1.0, 800)]
    public void The_linger_is_cut_by_at_most_a_fifth(double random, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), LingerJitter.Next(Linger, random));
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(2.0)]
    public void Random_values_out_of_range_never_leave_the_band(double random)
    {
        var next = LingerJitter.Next(Linger, random);
        Assert.InRange(next, TimeSpan.FromMilliseconds(800), Linger);
    }

    [Fact]
    public void No_linger_stays_no_linger()
    {
        Assert.Equal(TimeSpan.Zero, LingerJitter.Next(TimeSpan.Zero, 0.7));
    }
}
