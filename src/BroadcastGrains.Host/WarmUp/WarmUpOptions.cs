using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Host.WarmUp;

/// <summary>Bound as <c>Broadcast:WarmUp</c>.</summary>
public sealed class WarmUpOptions
{
    public const string Section = "Broadcast:WarmUp";

    /// <summary>
    /// Synthetic 100-record requests run through the hot path (parse, journal copy, map, gzip, a grain call) after the
    /// silo starts and before <c>/readyz</c> says ready; 0 turns the warm-up off.
    /// </summary>
    [Range(0, 10_000)]
    public int Requests { get; set; } = 300;
}
