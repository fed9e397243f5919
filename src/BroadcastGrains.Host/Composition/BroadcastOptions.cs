namespace BroadcastGrains.Host.Composition;

/// <summary>Bound from the <c>Broadcast</c> section (CONTRACT §1).</summary>
public sealed class BroadcastOptions
{
    public const string Section = "Broadcast";

    public StorageMode Storage { get; set; } = StorageMode.Memory;
    public ClusteringMode Clustering { get; set; } = ClusteringMode.Localhost;
    /// <summary>Apply db/*.sql at start-up in Postgres mode (<c>Broadcast:MigrateOnStartup</c>).</summary>
    public bool MigrateOnStartup { get; set; } = true;
    public BroadcastDashboardOptions Dashboard { get; set; } = new();
}

public sealed class BroadcastDashboardOptions
{
    /// <summary>
    /// The Orleans dashboard at <c>/dashboard</c>; it runs a few timers and a grain of its own, so an operator who
    /// does not look at it can switch it off entirely.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The dashboard's per-method grain statistics come from a filter around every incoming grain call, which
    /// costs CPU on every call even while its profiler is idle; at ~100 grain calls per ingest request that is
    /// several per cent of throughput, so it is off unless asked for. Silos, activations and counters are shown
    /// either way.
    /// </summary>
    public bool ProfileGrainCalls { get; set; }
}

public enum StorageMode
{
    Memory,
    Postgres,
}

public enum ClusteringMode
{
    Localhost,
    Postgres,
}
