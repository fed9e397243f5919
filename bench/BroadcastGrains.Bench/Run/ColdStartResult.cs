namespace BroadcastGrains.Bench.Run;

/// <summary>The cold-start row: a fresh silo's first seconds under load against its own steady state.</summary>
public sealed class ColdStartResult
{
    /// <summary>From process start to the first 200 of <c>/readyz</c>.</summary>
    public TimeSpan? TimeToReady { get; set; }
    /// <summary>Events arriving at the sink in each second after <c>/readyz</c> (the first includes the linger's wait).</summary>
    public List<double> DeliveredPerSecond { get; } = new();
    /// <summary>Records answered 202 in each second after <c>/readyz</c>.</summary>
    public List<double> AcceptedPerSecond { get; } = new();
    public double? SteadyDeliveredPerSecond { get; set; }
    public double? SteadyAcceptedPerSecond { get; set; }
    public List<string> Notes { get; } = new();

    /// <summary>The target's figure: delivered events/s over the first seconds against the steady rate.</summary>
    public double? Ratio => DeliveredPerSecond.Count > 0 && SteadyDeliveredPerSecond is > 0 ? DeliveredPerSecond.Average() / SteadyDeliveredPerSecond.Value : null;

    public double? AcceptedRatio => AcceptedPerSecond.Count > 0 && SteadyAcceptedPerSecond is > 0 ? AcceptedPerSecond.Average() / SteadyAcceptedPerSecond.Value : null;
}
