namespace BroadcastGrains.Host.Operations;

/// <summary>Bound as <c>Broadcast:MemoryTrim</c>.</summary>
public sealed class MemoryTrimOptions
{
    public const string Section = "Broadcast:MemoryTrim";

    public bool Enabled { get; set; } = true;
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>At most this much allocated during one check interval counts as quiet.</summary>
    public long IdleAllocationBytes { get; set; } = 32L * 1024 * 1024;
    public long MinCollectedActivations { get; set; } = 1_000;
    public long MinCommittedGrowthBytes { get; set; } = 128L * 1024 * 1024;
}
