namespace BroadcastGrains.Grains.Delivery;

public static class LingerJitter
{
    /// <summary>The share of the linger a destination may cut from it.</summary>
    public const double Spread = 0.2;

    /// <summary>
    /// The linger of a destination's next batch: uniformly random in [(1 − <see cref="Spread"/>)·linger, linger].
    /// The events of one ingest request start the lingers of a hundred destinations in the same instant; with
    /// equal lingers they would all send in the same instant, and again a linger later, in bursts that stall
    /// ingest. Never longer than configured: the linger is what a user waits at most.
    /// </summary>
    public static TimeSpan Next(TimeSpan linger, double random) => linger * (1 - Spread * Math.Clamp(random, 0, 1));
}
