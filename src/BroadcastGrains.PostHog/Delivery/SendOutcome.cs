namespace BroadcastGrains.PostHog.Delivery;

/// <summary>
/// What one POST to /batch/ came to: an HTTP status, or a transport failure described in words.
/// <see cref="TimedOut"/>: the endpoint did not answer in time (our deadline, or the gate gave up on it), which
/// sends the destination's next attempt to the slow lane.
/// </summary>
public readonly record struct SendOutcome(int? Status, TimeSpan? RetryAfter, string? Error, bool TimedOut = false)
{
    public bool Succeeded => Status is >= 200 and < 300;
}
