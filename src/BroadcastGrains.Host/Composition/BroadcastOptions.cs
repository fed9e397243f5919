namespace BroadcastGrains.Host.Composition;

/// <summary>Bound from the <c>Broadcast</c> section (CONTRACT §1).</summary>
public sealed class BroadcastOptions
{
    public const string Section = "Broadcast";

    public StorageMode Storage { get; set; } = StorageMode.Memory;
    public ClusteringMode Clustering { get; set; } = ClusteringMode.Localhost;
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
