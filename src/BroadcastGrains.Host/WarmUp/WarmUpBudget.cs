namespace BroadcastGrains.Host.WarmUp;

/// <summary>
/// When the warm-up stops: after <see cref="WarmUpOptions.Requests"/> requests, or once
/// <see cref="WarmUpOptions.MaxDuration"/> has passed, whichever comes first — a slow or busy machine must not keep a
/// silo out of service for long just to warm it up.
/// </summary>
public sealed class WarmUpBudget(int requests, TimeSpan maxDuration, TimeProvider clock)
{
    private readonly long _started = clock.GetTimestamp();

    /// <summary>Whether another request should run, <paramref name="done"/> having run so far.</summary>
    public bool Continue(int done) => done < requests && clock.GetElapsedTime(_started) < maxDuration;
}
