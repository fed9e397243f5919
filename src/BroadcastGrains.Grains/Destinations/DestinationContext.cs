using BroadcastGrains.Destinations;
using BroadcastGrains.PostHog;
using BroadcastGrains.PostHog.Mapping;

namespace BroadcastGrains.Grains.Destinations;

/// <summary>
/// What a destination's grain, intake and delivery loop share: who the destination is, its config with the key in the
/// clear, and its saved state, written one at a time. The config in the clear lives only here, in this activation:
/// the stored copy (<see cref="DestinationState.Config"/>) always carries the encrypted key, and nothing reads the
/// key from there.
/// </summary>
public sealed class DestinationContext
{
    private static readonly string LibVersion =
        typeof(PostHogClient).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private readonly Func<DestinationState> _state;
    private readonly Func<Task> _write;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _counterFlushInterval;
    private readonly SemaphoreSlim _stateWrite = new(1, 1);
    private DateTimeOffset _countersSavedAt;

    /// <param name="state">The current saved state (the grain replaces the object on create and delete).</param>
    /// <param name="write">Writes <paramref name="state"/> to storage.</param>
    /// <param name="random">Where in the first interval this activation's counters are due, in [0, 1).</param>
    public DestinationContext(string key, Func<DestinationState> state, Func<Task> write, TimeProvider clock,
        TimeSpan counterFlushInterval, double random)
    {
        Key = key;
        (WorkspaceId, DestinationId) = DestinationIdentity.Split(key);
        LogScope = new() { ["WorkspaceId"] = WorkspaceId, ["DestinationId"] = DestinationId };
        _state = state;
        _write = write;
        _clock = clock;
        _counterFlushInterval = counterFlushInterval;
        // Destinations activated together (a silo start, a burst of new tenants) would otherwise all save their
        // counters in the same instant every interval: start each at a random point of the interval.
        _countersSavedAt = clock.GetUtcNow() - counterFlushInterval * random;
    }

    public string Key { get; }
    public string WorkspaceId { get; }
    public string DestinationId { get; }
    public Dictionary<string, object> LogScope { get; }

    /// <summary>The config with its key in the clear; null while the destination does not exist.</summary>
    public DestinationConfig? Config { get; set; }

    /// <summary>How records become events under <see cref="Config"/>, as of the last <see cref="RefreshMapping"/>.</summary>
    public EventMappingOptions? Mapping { get; private set; }

    public DestinationState State => _state();

    /// <summary>Counters or status changed since the last write; written at most every flush interval.</summary>
    public bool CountersDirty { get; private set; }

    public void MarkDirty() => CountersDirty = true;

    public void RefreshMapping() =>
        Mapping = Config is { } c ? new EventMappingOptions(WorkspaceId, DestinationId, c.PrivacyMode, LibVersion) : null;

    /// <summary>Intake and the interleaved delivery loop may both want to save: one write at a time keeps the ETag valid.</summary>
    public async Task SaveAsync()
    {
        await _stateWrite.WaitAsync();
        try
        {
            CountersDirty = false;
            _countersSavedAt = _clock.GetUtcNow();
            await _write();
        }
        catch
        {
            CountersDirty = true;
            throw;
        }
        finally
        {
            _stateWrite.Release();
        }
    }

    /// <summary>Counters are persisted at most once per flush interval (and on deactivation), not once per event.</summary>
    public Task SaveCountersIfDueAsync() =>
        CountersDirty && _clock.GetUtcNow() - _countersSavedAt >= _counterFlushInterval ? SaveAsync() : Task.CompletedTask;

    /// <summary>Runs <paramref name="clear"/> (which removes the stored state) between writes, then forgets the config.</summary>
    public async Task ClearAsync(Func<Task> clear)
    {
        await _stateWrite.WaitAsync();
        try
        {
            await clear();
            Config = null;
        }
        finally
        {
            _stateWrite.Release();
        }
        Mapping = null;
    }
}
