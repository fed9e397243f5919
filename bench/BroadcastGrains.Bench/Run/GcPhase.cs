using System.Globalization;

namespace BroadcastGrains.Bench.Run;

/// <summary>
/// The host's garbage collections during one measured phase, read from its <c>/metrics</c> text before and after
/// (the runtime's <c>System.Runtime</c> meter). Logged with every phase because the pauses are most of the ingest
/// latency tail: each ephemeral collection copies the events that wait out their linger.
/// </summary>
public readonly record struct GcPhase(long Collections, double PausedSeconds)
{
    private const string CollectionsName = "dotnet_gc_collections_total";
    private const string PauseName = "dotnet_gc_pause_time_seconds_total";

    /// <summary>Null when either text lacks the runtime's GC instruments.</summary>
    public static GcPhase? Between(string? before, string? after)
    {
        if (Read(before) is not { } first || Read(after) is not { } second) return null;
        return new GcPhase(second.Collections - first.Collections, second.PausedSeconds - first.PausedSeconds);
    }

    public string Describe(TimeSpan phase) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Collections} collections, {PausedSeconds * 1000:F0} ms paused ({100 * PausedSeconds / phase.TotalSeconds:F1} % of the phase)");

    private static GcPhase? Read(string? metrics) =>
        // One collections series per generation: their sum is every collection.
        PrometheusText.Sum(metrics, CollectionsName) is { } collections && PrometheusText.Sum(metrics, PauseName) is { } paused
            ? new GcPhase((long)collections, paused)
            : null;
}
