namespace BroadcastGrains.Host.Operations;

/// <summary>Bound from <c>Broadcast:Shutdown</c>.</summary>
public sealed class ShutdownOptions
{
    /// <summary>
    /// After SIGTERM the API keeps answering (traces with 503, /readyz with 503) this long, so that a load
    /// balancer notices and stops routing here before the listener closes.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How long in-flight sends and (Memory mode) buffered events get to go out before the silo stops.</summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(20);
}
