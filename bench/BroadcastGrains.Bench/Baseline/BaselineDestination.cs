using System.Buffers;
using BroadcastGrains.PostHog.Delivery;
using BroadcastGrains.PostHog.Mapping;

namespace BroadcastGrains.Bench.Baseline;

/// <summary>
/// One destination's open batch in memory. The lock is held only to append a reference or swap the batch
/// out, never across an await; sending happens elsewhere.
/// </summary>
public sealed class BaselineDestination(string workspaceId, string id, string apiKey, string endpoint, int maxEvents, int maxBytes)
{
    private readonly object _gate = new();
    private ReadOnlyMemory<byte>[]? _events;
    private volatile int _count;
    private long _bytes;
    private long _oldestAt;

    public string Id { get; } = id;
    public string ApiKey { get; } = apiKey;
    public Uri BatchUri { get; } = new(endpoint.TrimEnd('/') + "/batch/");
    public EventMappingOptions Mapping { get; } = new(workspaceId, id, PrivacyMode: false, LibVersion);
    public double SamplingRate { get; } = 1.0;

    private static readonly string LibVersion = typeof(PostHogEventMapper).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Adds one mapped event; returns a batch to send when this append closed one.</summary>
    public ReadyBatch? Append(byte[] json, long nowMs)
    {
        lock (_gate)
        {
            ReadyBatch? ready = null;
            if (_count > 0 && _bytes + json.Length > maxBytes - BatchPayload.EnvelopeAllowance) ready = TakeLocked();
            if (_events is null)
            {
                _events = ArrayPool<ReadOnlyMemory<byte>>.Shared.Rent(maxEvents);
                _oldestAt = nowMs;
            }
            _events[_count] = json;
            _count++;
            _bytes += json.Length;
            if (ready is null && _count >= maxEvents) ready = TakeLocked();
            return ready;
        }
    }

    /// <summary>The open batch, if its oldest event has waited out the linger.</summary>
    public ReadyBatch? TakeIfOlderThan(long nowMs, long lingerMs)
    {
        if (_count == 0) return null; // unlocked peek: most destinations are empty most of the time
        lock (_gate)
        {
            return _count > 0 && nowMs - _oldestAt >= lingerMs ? TakeLocked() : null;
        }
    }

    private ReadyBatch TakeLocked()
    {
        var batch = new ReadyBatch(this, _events!, _count);
        _events = null;
        _count = 0;
        _bytes = 0;
        return batch;
    }
}
