namespace BroadcastGrains.Grains.Delivery;

public static class Backoff
{
    /// <summary>
    /// Exponential backoff with full jitter: uniformly random in [0, min(cap, base·2^(failures-1))], so that
    /// destinations failing together do not retry together; never sooner than the server's Retry-After.
    /// Retry-After counts only up to <paramref name="maxRetryAfter"/> and only up to <paramref name="lifeLeft"/>,
    /// the time until the oldest waiting event expires: a server asking for a week would otherwise park the
    /// destination past every event's life, and waiting past that instant cannot deliver the oldest event while the
    /// events behind it would wait for nothing. The backoff itself is not cut by <paramref name="lifeLeft"/>: when
    /// something keeps failing (storage, say) it is what keeps the retries apart.
    /// </summary>
    public static TimeSpan Next(int consecutiveFailures, TimeSpan baseDelay, TimeSpan cap, TimeSpan? retryAfter, double random,
        TimeSpan maxRetryAfter, TimeSpan lifeLeft)
    {
        var exponent = Math.Clamp(consecutiveFailures - 1, 0, 30);
        var ceiling = Math.Min(cap.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        var delay = TimeSpan.FromMilliseconds(ceiling * Math.Clamp(random, 0, 1));
        if (retryAfter is not { } floor) return delay;
        if (floor > maxRetryAfter) floor = maxRetryAfter;
        if (floor > lifeLeft) floor = lifeLeft;
        return floor > delay ? floor : delay;
    }
}
