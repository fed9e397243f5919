namespace BroadcastGrains.Grains.Delivery;

public static class Backoff
{
    /// <summary>
    /// Exponential backoff with full jitter: uniformly random in [0, min(cap, base·2^(failures-1))], so that
    /// destinations failing together do not retry together; never sooner than the server's Retry-After.
    /// </summary>
    public static TimeSpan Next(int consecutiveFailures, TimeSpan baseDelay, TimeSpan cap, TimeSpan? retryAfter, double random)
    {
        var exponent = Math.Clamp(consecutiveFailures - 1, 0, 30);
        var ceiling = Math.Min(cap.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        var delay = TimeSpan.FromMilliseconds(ceiling * Math.Clamp(random, 0, 1));
        return retryAfter is { } floor && floor > delay ? floor : delay;
    }
}
