using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace BroadcastGrains.Bench.Sink;

/// <summary>
/// Events counted per API key and per arrival time slot. Arrival is bucketed rather than logged so that
/// recording stays allocation-free and lock-free at tens of thousands of events per second.
/// </summary>
public sealed class SinkCounters
{
    public const int SlotMilliseconds = 50;
    private const int Slots = 2 * 60 * 60 * 1000 / SlotMilliseconds; // two hours of history is longer than any run

    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly long[] _slots = new long[Slots];
    private readonly ConcurrentDictionary<string, StrongBox<long>> _byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<long>>.AlternateLookup<ReadOnlySpan<char>> _byKeySpan;
    private long _events;
    private long _jsonBytes;
    private long _batches;
    private long _flagChecks;
    private long _badRequests;

    public SinkCounters() => _byKeySpan = _byKey.GetAlternateLookup<ReadOnlySpan<char>>();

    public long Events => Interlocked.Read(ref _events);
    /// <summary>Decompressed /batch/ bytes, envelopes included: with <see cref="Events"/>, the size of a delivered event.</summary>
    public long JsonBytes => Interlocked.Read(ref _jsonBytes);
    public long Batches => Interlocked.Read(ref _batches);
    public long FlagChecks => Interlocked.Read(ref _flagChecks);
    public long BadRequests => Interlocked.Read(ref _badRequests);
    public int Keys => _byKey.Count;

    public void RecordBatch(ReadOnlySpan<char> apiKey, int events, int jsonBytes)
    {
        Interlocked.Add(ref _jsonBytes, jsonBytes);
        if (!_byKeySpan.TryGetValue(apiKey, out var count))
            count = _byKey.GetOrAdd(apiKey.ToString(), static _ => new StrongBox<long>());
        Interlocked.Add(ref count.Value, events);
        Interlocked.Add(ref _events, events);
        Interlocked.Increment(ref _batches);
        var slot = SlotOf(Stopwatch.GetTimestamp());
        if (slot < Slots) Interlocked.Add(ref _slots[slot], events);
    }

    public void RecordFlagCheck() => Interlocked.Increment(ref _flagChecks);

    public void RecordBadRequest() => Interlocked.Increment(ref _badRequests);

    public long EventsFor(string apiKey) => _byKey.TryGetValue(apiKey, out var count) ? Interlocked.Read(ref count.Value) : 0;

    /// <summary>Events that arrived between two <see cref="Stopwatch.GetTimestamp"/> readings, at slot resolution.</summary>
    public long EventsBetween(long fromTimestamp, long toTimestamp)
    {
        var from = SlotOf(fromTimestamp);
        var to = Math.Min(SlotOf(toTimestamp), Slots);
        long sum = 0;
        for (var i = Math.Max(0, from); i < to; i++) sum += Interlocked.Read(ref _slots[i]);
        return sum;
    }

    /// <summary>The window actually covered by <see cref="EventsBetween"/>, which rounds to whole slots.</summary>
    public TimeSpan SlotAlignedSpan(long fromTimestamp, long toTimestamp) =>
        TimeSpan.FromMilliseconds((long)(Math.Min(SlotOf(toTimestamp), Slots) - Math.Max(0, SlotOf(fromTimestamp))) * SlotMilliseconds);

    private long SlotOf(long timestamp) => (long)Stopwatch.GetElapsedTime(_origin, timestamp).TotalMilliseconds / SlotMilliseconds;
}
