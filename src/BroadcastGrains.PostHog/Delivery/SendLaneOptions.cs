namespace BroadcastGrains.PostHog.Delivery;

/// <summary>The bounds of <see cref="OutboundGate"/>; the host fills them from <c>Broadcast:Delivery</c>.</summary>
public sealed record SendLaneOptions
{
    /// <summary>Concurrent sends in the main lane (<c>MaxConcurrentSends</c>).</summary>
    public int MainLane { get; init; } = 256;
    /// <summary>Concurrent sends in the slow lane (<c>MaxSlowSends</c>).</summary>
    public int SlowLane { get; init; } = 1024;
    /// <summary>How long a send may go unanswered before it stops counting against the main lane.</summary>
    public TimeSpan HangThreshold { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Deadline of a send (<c>SendTimeout</c>).</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Deadline of a send whose destination's last send hung (never longer than <see cref="SendTimeout"/>).</summary>
    public TimeSpan SuspectSendTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>What is wrong with these bounds, each naming its configuration key; empty when they are usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (MainLane < 1) yield return "Broadcast:Delivery:MaxConcurrentSends must be at least 1.";
        if (SlowLane < 1) yield return "Broadcast:Delivery:MaxSlowSends must be at least 1.";
        if (HangThreshold <= TimeSpan.Zero) yield return "Broadcast:Delivery:HangThreshold must be longer than zero.";
        if (SendTimeout <= TimeSpan.Zero) yield return "Broadcast:Delivery:SendTimeout must be longer than zero.";
        if (SuspectSendTimeout <= TimeSpan.Zero) yield return "Broadcast:Delivery:SuspectSendTimeout must be longer than zero.";
    }
}
