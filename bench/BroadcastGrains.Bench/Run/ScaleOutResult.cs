namespace BroadcastGrains.Bench.Run;

/// <summary>One row of the scale-out table: N silos of one cluster, load spread over their APIs.</summary>
public sealed class ScaleOutResult(int silos)
{
    public int Silos { get; } = silos;
    public double? DeliveredPerSecond { get; set; }
    public double? AcceptedPerSecond { get; set; }
    public double? PeakP99Ms { get; set; }
    /// <summary>Target = every silo summed; Postgres = the private PostgreSQL.</summary>
    public CpuShare? Cpu { get; set; }
    /// <summary>Each silo's own cores during the measured window, in start order.</summary>
    public List<double> SiloCores { get; } = new();
    public List<string> Notes { get; } = new();
    /// <summary>Request shares during the window, from the silos' own counters: ingested where accepted, sent to the owner in one call, or ingested where accepted because the owner could not be reached.</summary>
    public long LocalShares { get; set; }
    public long RemoteShares { get; set; }
    public long FallbackShares { get; set; }
    /// <summary>Destination calls that reached an activation off its workspace's owner (converging after a membership change).</summary>
    public long MisplacedEnqueues { get; set; }

    /// <summary>CPU µs of the silos and PostgreSQL together per delivered event: the figure that says whether a silo pays.</summary>
    public double? MicrosPerEvent =>
        Cpu is { } cpu && DeliveredPerSecond is > 0 ? (cpu.Target + cpu.Postgres) * 1e6 / DeliveredPerSecond.Value : null;

    /// <summary>The open-loop phase at <see cref="RunOptions.ScaleOutRate"/>, the same for every N.</summary>
    public double? FixedRate { get; set; }
    public double? FixedDeliveredPerSecond { get; set; }
    public double? FixedP99Ms { get; set; }
    public CpuShare? FixedCpu { get; set; }

    public double? FixedMicrosPerEvent =>
        FixedCpu is { } cpu && FixedDeliveredPerSecond is > 0 ? (cpu.Target + cpu.Postgres) * 1e6 / FixedDeliveredPerSecond.Value : null;

    /// <summary>The silos' CPU alone per delivered event.</summary>
    public double? SiloMicrosPerEvent =>
        Cpu is { } cpu && DeliveredPerSecond is > 0 ? cpu.Target * 1e6 / DeliveredPerSecond.Value : null;
}
