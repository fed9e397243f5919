using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace BroadcastGrains.Grains.Telemetry;

/// <summary>
/// What the destinations active on this silo have waiting, summed for the backlog gauges. Each destination
/// reports its own line when it changes; the gauges read the sum only when scraped.
/// </summary>
public sealed class BacklogRegistry
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new();
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

    public void Report(string destinationKey, long pending, DateTimeOffset? oldest, string state) =>
        _entries[destinationKey] = new Entry(pending, oldest, state);

    public void Forget(string destinationKey) => _entries.TryRemove(destinationKey, out _);

    public long TotalPending()
    {
        long total = 0;
        foreach (var e in _entries.Values) total += e.Pending;
        return total;
    }

    public double OldestAgeSeconds()
    {
        DateTimeOffset? oldest = null;
        foreach (var e in _entries.Values)
        {
            if (e.Pending > 0 && e.Oldest is { } o && (oldest is null || o < oldest)) oldest = o;
        }
        return oldest is { } value ? Math.Max(0, (_clock.GetUtcNow() - value).TotalSeconds) : 0;
    }

    private IEnumerable<Measurement<long>> ByState() =>
        _entries.Values.GroupBy(e => e.State).Select(g => new Measurement<long>(g.LongCount(), new KeyValuePair<string, object?>("state", g.Key)));

    private readonly record struct Entry(long Pending, DateTimeOffset? Oldest, string State);
}
