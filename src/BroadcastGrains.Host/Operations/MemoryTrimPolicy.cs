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
    /// <param name="stillDropping">Whether activations were collected since the previous check: a wave of collection is under way.</param>
    public static bool ShouldTrim(long allocatedBytes, long activationsDropped, long committedGrowth, bool stillDropping, MemoryTrimOptions options)
    {
        if (!options.Enabled || allocatedBytes > options.IdleAllocationBytes) return false;
        if (committedGrowth >= options.MinCommittedGrowthBytes) return true;
        // Mid-wave only a large drop is worth the pause. Once the wave has ended, what it collected after the last
        // trim is given back too (a tenth of the threshold): otherwise the tail of a wave, and the native memory its
        // deactivations used, stayed resident until the next wave (bench (d) read 2,379 B per idle workspace where
        // a trim after the wave gave 888 B).
        return activationsDropped >= (stillDropping ? options.MinCollectedActivations : Math.Max(1, options.MinCollectedActivations / 10));
    }
}
