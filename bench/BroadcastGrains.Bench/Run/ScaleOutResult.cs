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

    /// <summary>CPU µs of the silos and PostgreSQL together per delivered event: the figure that says whether a silo pays.</summary>
    public double? MicrosPerEvent =>
        Cpu is { } cpu && DeliveredPerSecond is > 0 ? (cpu.Target + cpu.Postgres) * 1e6 / DeliveredPerSecond.Value : null;

    /// <summary>The silos' CPU alone per delivered event.</summary>
    public double? SiloMicrosPerEvent =>
        Cpu is { } cpu && DeliveredPerSecond is > 0 ? cpu.Target * 1e6 / DeliveredPerSecond.Value : null;
}
