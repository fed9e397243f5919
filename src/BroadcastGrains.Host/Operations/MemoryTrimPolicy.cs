namespace BroadcastGrains.Host.Operations;

/// <summary>
/// When to hand idle heap back to the operating system. The GC keeps segments it once needed committed, so a
/// silo that configured or served many tenants stays at its high-water mark after their grains are collected.
/// A compacting, decommitting collection fixes that, but it pauses the process: do it only when the silo is
/// quiet and there is something to give back.
/// </summary>
public static class MemoryTrimPolicy
{
    /// <param name="allocatedBytes">Bytes allocated since the previous check: a busy silo is never trimmed.</param>
    /// <param name="activationsDropped">Grain activations collected since the last trim (their memory is now garbage).</param>
    /// <param name="committedGrowth">Committed GC memory now minus right after the last trim.</param>
    public static bool ShouldTrim(long allocatedBytes, long activationsDropped, long committedGrowth, MemoryTrimOptions options)
    {
        if (!options.Enabled || allocatedBytes > options.IdleAllocationBytes) return false;
        return activationsDropped >= options.MinCollectedActivations || committedGrowth >= options.MinCommittedGrowthBytes;
    }
}
