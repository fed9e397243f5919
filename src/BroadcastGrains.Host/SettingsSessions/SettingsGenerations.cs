using System.Collections.Concurrent;
using BroadcastGrains.Workspaces;

namespace BroadcastGrains.Host.SettingsSessions;

/// <summary>
/// Per-silo cache of each workspace's settings generation, so that a settings page refreshing every few seconds does
/// not cost a grain call per request. Bounds (CONTRACT §8.4 revocation, written down in the README):
/// <list type="bullet">
/// <item>a revocation through this silo takes effect here at once (<see cref="Revoked"/>);</item>
/// <item>one through another silo reaches this one within <see cref="Ttl"/> (2 s, like the ingest route cache);</item>
/// <item>at most <see cref="MaxEntries"/> workspaces are held; past that, expired entries are dropped, and while it
/// is still full new workspaces are read from the grain on every request instead of being cached.</item>
/// </list>
/// </summary>
public sealed class SettingsGenerations(Func<string, Task<long>> read, TimeProvider clock)
{
    public SettingsGenerations(IGrainFactory grains, TimeProvider clock)
        : this(ws => grains.GetGrain<IWorkspaceGrain>(ws).GetSettingsGeneration(), clock)
    {
    }

    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <param name="seen">The generation of the token in hand. Generations only grow, so a cached one below it is stale
    /// (the token was made after a revocation through another silo) and is read again rather than refusing the token.</param>
    public async ValueTask<long> CurrentAsync(string workspaceId, long seen)
    {
        var now = clock.GetUtcNow();
        if (_entries.TryGetValue(workspaceId, out var entry) && now - entry.ReadAt < Ttl && entry.Generation >= seen) return entry.Generation;
        var generation = await read(workspaceId);
        Remember(workspaceId, new Entry(generation, now));
        return generation;
    }

    /// <summary>A revocation made through this silo: its own cache must not serve the old generation for another moment.</summary>
    public void Revoked(string workspaceId, long generation) => _entries[workspaceId] = new Entry(generation, clock.GetUtcNow());

    public int Count => _entries.Count;

    private void Remember(string workspaceId, Entry entry)
    {
        if (_entries.Count >= MaxEntries && !_entries.ContainsKey(workspaceId))
        {
            foreach (var (key, old) in _entries)
            {
                if (entry.ReadAt - old.ReadAt >= Ttl) _entries.TryRemove(key, out _);
            }
            if (_entries.Count >= MaxEntries) return;
        }
        // A reading never replaces a newer one (a revocation that landed while this read was in flight).
        _entries.AddOrUpdate(workspaceId, entry, (_, current) => current.Generation > entry.Generation ? current : entry);
    }

    private sealed record Entry(long Generation, DateTimeOffset ReadAt);
}
