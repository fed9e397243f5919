using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace BroadcastGrains.Grains.Telemetry;

/// <summary>
/// What the destinations active on this silo have waiting, summed for the backlog gauges. Each destination
/// reports its own line when it changes; the gauges read the sum only when scraped.
/// </summary>
public sealed class BacklogRegistry
{
    private readonly ConcurrentDictionary<string, Line> _entries = new();
    private readonly TimeProvider _clock;

    public BacklogRegistry(TimeProvider clock)
    {
        _clock = clock;
        BroadcastTelemetry.Meter.CreateObservableGauge("broadcast.backlog.events", () => TotalPending(), "{event}",
            "Events waiting in the outboxes of the destinations active on this silo.");
        BroadcastTelemetry.Meter.CreateObservableGauge("broadcast.backlog.oldest_age", () => OldestAgeSeconds(), "s",
            "Age of the oldest event waiting on this silo.");
        BroadcastTelemetry.Meter.CreateObservableGauge("broadcast.destinations.active", ByState, "{destination}",
            "Destination activations on this silo by delivery state.");
    }

    /// <summary>
    /// Updates the destination's line in place: every Enqueue reports, and replacing a struct value in a
    /// concurrent dictionary allocates a node each time. Only the destination's own grain writes its line, so
    /// writes never race each other; a scrape may read a line mid-update, which a gauge can live with.
    /// </summary>
    public void Report(string destinationKey, long pending, DateTimeOffset? oldest, string state)
    {
        var line = _entries.GetOrAdd(destinationKey, static _ => new Line());
        line.Pending = pending;
        line.OldestTicks = oldest?.UtcTicks ?? NoOldest;
        line.State = state;
    }

    public void Forget(string destinationKey) => _entries.TryRemove(destinationKey, out _);

    public long TotalPending()
    {
        long total = 0;
        foreach (var e in _entries.Values) total += e.Pending;
        return total;
    }

    public double OldestAgeSeconds()
    {
        long? oldest = null;
        foreach (var e in _entries.Values)
        {
            var ticks = e.OldestTicks;
            if (e.Pending > 0 && ticks != NoOldest && (oldest is null || ticks < oldest)) oldest = ticks;
        }
        return oldest is { } value ? Math.Max(0, (_clock.GetUtcNow().UtcTicks - value) / (double)TimeSpan.TicksPerSecond) : 0;
    }

    private IEnumerable<Measurement<long>> ByState() =>
        _entries.Values.GroupBy(e => e.State).Select(g => new Measurement<long>(g.LongCount(), new KeyValuePair<string, object?>("state", g.Key)));

    private const long NoOldest = long.MinValue;

    private sealed class Line
    {
        public long Pending;
        public long OldestTicks = NoOldest;
        public string State = "";
    }
}
