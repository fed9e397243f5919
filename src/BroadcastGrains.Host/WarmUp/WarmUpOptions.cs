using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Host.WarmUp;

/// <summary>Bound as <c>Broadcast:WarmUp</c>.</summary>
public sealed class WarmUpOptions
{
    public const string Section = "Broadcast:WarmUp";

    /// <summary>
    /// Synthetic 100-record requests run through the hot path (parse, journal copy, map, gzip, a grain call) after the
    /// silo starts and before <c>/readyz</c> says ready; 0 turns the warm-up off. 3000 because tiered compilation
    /// (with dynamic PGO) needs that many before the optimised code is in place: in the bench's cold-start stage 300
    /// gave 0.30–0.37 of the steady rate in the first 10 s after ready, 3000 gave 0.60 (ready ~5 s later).
    /// </summary>
    [Range(0, 100_000)]
    public int Requests { get; set; } = 3000;

    /// <summary>The warm-up stops after this long even if fewer requests ran (a slow or busy machine).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromSeconds(15);
}
