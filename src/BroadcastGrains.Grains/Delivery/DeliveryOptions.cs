using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Grains.Delivery;

/// <summary>
/// Bound from <c>Broadcast:Delivery</c>. The defaults are CONTRACT §7; tests shorten the clocks. Counts are checked
/// by their attributes, clocks by <see cref="DeliveryOptionsValidator"/>; either stops start-up naming the key.
/// </summary>
public sealed class DeliveryOptions
{
    public const string Section = "Broadcast:Delivery";

    /// <summary>PostHog takes at most this many events per /batch/ request; zero would never send anything.</summary>
    [Range(1, PostHog.PostHogLimits.MaxBatchEvents, ErrorMessage = Section + ":MaxBatchEvents must be between {1} and {2}.")]
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
    [Range(1, int.MaxValue, ErrorMessage = Section + ":MaxBacklog must be at least {1}.")]
    public int MaxBacklog { get; set; } = 100_000;
    /// <summary>Dead letters kept per destination; beyond it the oldest fall out, counted (reason <c>cap</c>).</summary>
    [Range(0, int.MaxValue, ErrorMessage = Section + ":MaxDeadLetters must not be negative.")]
    public int MaxDeadLetters { get; set; } = 10_000;
    /// <summary>How long a dead letter is kept; older ones fall out, counted (reason <c>retention</c>).</summary>
    public TimeSpan DeadLetterRetention { get; set; } = TimeSpan.FromDays(7);
    /// <summary>How often each silo removes dead letters past their retention, of every destination (active or not).</summary>
    public TimeSpan DeadLetterSweepInterval { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>Per-silo cap on concurrent /batch/ requests in the main lane (each destination holds at most one).</summary>
    public int MaxConcurrentSends { get; set; } = 256;
    /// <summary>Per-silo cap on sends to endpoints that stopped answering (see OutboundGate).</summary>
    public int MaxSlowSends { get; set; } = 1024;
    /// <summary>How long a send may go unanswered before it leaves the main lane.</summary>
    public TimeSpan HangThreshold { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Deadline of a send from a destination whose last send got no answer in time.</summary>
    public TimeSpan SuspectSendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public PostHog.Delivery.SendLaneOptions SendLanes() => new()
    {
        MainLane = MaxConcurrentSends,
        SlowLane = MaxSlowSends,
        HangThreshold = HangThreshold,
        SendTimeout = SendTimeout,
        SuspectSendTimeout = SuspectSendTimeout,
    };
    /// <summary>Counters are persisted at most this often (and on deactivation), not once per event.</summary>
    public TimeSpan CounterFlushInterval { get; set; } = TimeSpan.FromSeconds(30);
}
