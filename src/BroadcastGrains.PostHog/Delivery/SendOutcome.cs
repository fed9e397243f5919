namespace BroadcastGrains.PostHog.Delivery;

/// <summary>What one POST to /batch/ came to: an HTTP status, or a transport failure described in words.</summary>
public readonly record struct SendOutcome(int? Status, TimeSpan? RetryAfter, string? Error)
{
    public bool Succeeded => Status is >= 200 and < 300;
}
