using System.Collections.Concurrent;
using BroadcastGrains.Destinations;
using BroadcastGrains.Workspaces;

namespace BroadcastGrains.Host.Ingestion;

/// <summary>
/// Per-silo cache of where a workspace's records go, so that ingest calls the destination grains directly
/// instead of passing every record through the workspace grain (with records spread over many workspaces that
/// hop was half of all grain calls). The workspace grain stays the authority:
/// <list type="bullet">
/// <item>changes made through this silo's API invalidate the entry at once;</item>
/// <item>turning broadcast off and deleting a destination take effect at once everywhere, because the destination
/// grains themselves refuse records then;</item>
/// <item>turning broadcast on or adding a destination through another silo reaches this one within the TTL, or
/// twice the TTL for an entry that is refreshed in the background (see <see cref="RouteFreshness"/>).</item>
/// </list>
/// A request never waits for a refresh of an entry in use: under load every active workspace's entry expires every
/// TTL, and fetching them on the request path (one request could wait for ~95 of them) was a large part of the
/// ingest latency tail.
/// </summary>
public sealed class WorkspaceRoutes(IGrainFactory grains, IngestOptions options)
{
    private static readonly IDestinationGrain[] None = [];
    private const long SweepEveryMs = 60_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly long _ttlMs = (long)options.RouteCacheTtl.TotalMilliseconds;
    private long _lastSweep = Environment.TickCount64;

    /// <summary>
    /// The destinations to hand this workspace's records to (empty when broadcast is off), and whether any of them
    /// sends prompt and completion text (so may have it stored).
    /// </summary>
    public ValueTask<IngestRoute> GetRouteAsync(string workspaceId)
    {
        var now = Environment.TickCount64;
        if (_entries.TryGetValue(workspaceId, out var entry))
        {
            switch (RouteFreshness.Judge(now - entry.FetchedAt, entry.TtlMs))
            {
                case RouteFreshness.Fresh:
                    entry.UsedAt = now;
                    return new(entry.Route);
                case RouteFreshness.Refresh:
                    entry.UsedAt = now;
                    if (Interlocked.Exchange(ref entry.Refreshing, 1) == 0)
                    {
                        // Detached from the request: its trace and Orleans request context are not the refresh's.
                        using (ExecutionContext.SuppressFlow()) _ = RefreshAsync(workspaceId, entry);
                    }
                    return new(entry.Route);
            }
        }
        return new(FetchAsync(workspaceId, entry, now));
    }

    private async Task RefreshAsync(string workspaceId, Entry entry)
    {
        try
        {
            await FetchAsync(workspaceId, entry, Environment.TickCount64, replacing: entry);
        }
        catch (Exception)
        {
            // The next request tries again; until the entry is too old to serve, it keeps routing from it.
            Volatile.Write(ref entry.Refreshing, 0);
        }
    }

    public void Invalidate(string workspaceId) => _entries.TryRemove(workspaceId, out _);

    /// <param name="replacing">For a background refresh: the entry it may replace. If the entry was invalidated
    /// (or replaced) meanwhile, the refresh's older reading is dropped instead of undoing that.</param>
    private async Task<IngestRoute> FetchAsync(string workspaceId, Entry? previous, long now, Entry? replacing = null)
    {
        var route = await grains.GetGrain<IWorkspaceGrain>(workspaceId).GetRoute();
        var ids = route.BroadcastEnabled ? route.DestinationIds : [];
        // References are immutable; building them resolves the interface by reflection, so reuse unchanged ones.
        var destinations = previous is not null && previous.Ids.SequenceEqual(ids, StringComparer.Ordinal)
            ? previous.Route.Destinations
            : References(workspaceId, ids);
        // Each entry lives 80-100 % of the TTL, so that entries fetched together do not all expire together.
        var fresh = new Entry(new IngestRoute(destinations, route.StoresText), ids, now, (long)(_ttlMs * (0.8 + 0.2 * Random.Shared.NextDouble())));
        if (replacing is null) _entries[workspaceId] = fresh;
        else _entries.TryUpdate(workspaceId, fresh, replacing);
        if (now - Interlocked.Read(ref _lastSweep) > SweepEveryMs) Sweep(now);
        return fresh.Route;
    }

    private IDestinationGrain[] References(string workspaceId, IReadOnlyList<string> ids)
    {
        if (ids.Count == 0) return None;
        var references = new IDestinationGrain[ids.Count];
        for (var i = 0; i < references.Length; i++)
            references[i] = grains.GetGrain<IDestinationGrain>(DestinationIdentity.Key(workspaceId, ids[i]));
        return references;
    }

    /// <summary>Forgets workspaces that sent nothing for a while, so idle tenants cost this silo no memory.</summary>
    private void Sweep(long now)
    {
        Interlocked.Exchange(ref _lastSweep, now);
        foreach (var (workspaceId, entry) in _entries)
        {
            if (now - entry.UsedAt > SweepEveryMs) _entries.TryRemove(workspaceId, out _);
        }
    }

    private sealed class Entry(IngestRoute route, IReadOnlyList<string> ids, long fetchedAt, long ttlMs)
    {
        public IngestRoute Route { get; } = route;
        public IReadOnlyList<string> Ids { get; } = ids;
        public long FetchedAt { get; } = fetchedAt;
        public long TtlMs { get; } = ttlMs;
        public long UsedAt { get; set; } = fetchedAt;
        /// <summary>1 while a background refresh runs, so that one request starts it, not every request.</summary>
        public int Refreshing;
    }
}
