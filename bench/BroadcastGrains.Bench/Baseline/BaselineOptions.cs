using BroadcastGrains.PostHog;

namespace BroadcastGrains.Bench.Baseline;

/// <summary>The same delivery rules as BroadcastGrains' defaults (CONTRACT §7), minus durability and retries.</summary>
public sealed record BaselineOptions
{
    public required string IngestToken { get; init; }
    public required string AdminToken { get; init; }
    public int MaxBatchEvents { get; init; } = PostHogLimits.MaxBatchEvents;
    public int MaxBatchBytes { get; init; } = PostHogLimits.MaxBatchBytes;
    public TimeSpan Linger { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Like the host's per-silo cap on concurrent /batch/ requests.</summary>
    public int MaxConcurrentSends { get; init; } = 64;
    /// <summary>Full batches waiting for a sender; beyond this, ingest waits (back-pressure instead of unbounded memory).</summary>
    public int ReadyQueueCapacity { get; init; } = 1024;
}
