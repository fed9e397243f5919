using System.Collections.Concurrent;
using BroadcastGrains.Workspaces;

namespace BroadcastGrains.Host.Ingestion;

/// <summary>
/// Grain references for the ingest path. Creating one resolves the interface type by reflection each time,
/// which showed up in profiles at ~5% of CPU with a hundred workspaces per request; a reference is immutable
/// and location-independent, so it is safe to keep.
/// </summary>
public sealed class WorkspaceGrains(IGrainFactory grains)
{
    /// <summary>Bounds the cache; past it references are created per call again (correct, just slower).</summary>
    private const int MaxCached = 200_000;
    private readonly ConcurrentDictionary<string, IWorkspaceGrain> _references = new(StringComparer.Ordinal);

    public IWorkspaceGrain Get(string workspaceId)
    {
        if (_references.TryGetValue(workspaceId, out var reference)) return reference;
        reference = grains.GetGrain<IWorkspaceGrain>(workspaceId);
        if (_references.Count < MaxCached) _references.TryAdd(workspaceId, reference);
        return reference;
    }
}
