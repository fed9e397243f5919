namespace BroadcastGrains.Grains.Delivery;

/// <summary>Bound from <c>Broadcast:Delivery</c>. The defaults are CONTRACT §7; tests shorten the clocks.</summary>
public sealed class DeliveryOptions
{
    public int MaxBatchEvents { get; set; } = PostHog.PostHogLimits.MaxBatchEvents;
    public int MaxBatchBytes { get; set; } = PostHog.PostHogLimits.MaxBatchBytes;
    /// <summary>How long a partial batch waits for company before it is sent.</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// The longest Retry-After we honour (CONTRACT §8.2): a longer one is cut to this, and no wait ever runs past
    /// the oldest waiting event's <see cref="MaxEventAge"/>.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);
    /// <summary>How often a paused destination re-tests its key.</summary>
    public TimeSpan PauseRecheck { get; set; } = TimeSpan.FromMinutes(1);
    public int MaxBacklog { get; set; } = 100_000;
    /// <summary>Per-silo cap on concurrent /batch/ requests (each destination holds at most one).</summary>
    public int MaxConcurrentSends { get; set; } = 256;
    /// <summary>Counters are persisted at most this often (and on deactivation), not once per event.</summary>
    public TimeSpan CounterFlushInterval { get; set; } = TimeSpan.FromSeconds(30);
}
