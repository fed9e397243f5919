using System.Collections.Concurrent;

namespace BroadcastGrains.Bench.Baseline;

/// <summary>Workspaces by id, and every destination for the linger scan.</summary>
public sealed class DestinationRegistry
{
    private readonly ConcurrentDictionary<string, BaselineWorkspace> _workspaces = new(StringComparer.Ordinal);
    private readonly object _writeGate = new();
    private readonly List<BaselineDestination> _all = new();
    private BaselineDestination[] _snapshot = [];
    private bool _snapshotStale;

    public bool TryGet(string workspaceId, out BaselineWorkspace workspace) => _workspaces.TryGetValue(workspaceId, out workspace!);

    public BaselineWorkspace GetOrAdd(string workspaceId) => _workspaces.GetOrAdd(workspaceId, static _ => new BaselineWorkspace());

    /// <summary>Configuration is rare; copy-on-write keeps the ingest path free of locks.</summary>
    public bool TryAddDestination(BaselineWorkspace workspace, BaselineDestination destination, int maxPerWorkspace)
    {
        lock (_writeGate)
        {
            if (workspace.Destinations.Length >= maxPerWorkspace) return false;
            workspace.Destinations = [.. workspace.Destinations, destination];
            _all.Add(destination);
            _snapshotStale = true;
            return true;
        }
    }

    /// <summary>Every destination; rebuilt only after a change, so the scan allocates nothing in steady state.</summary>
    public BaselineDestination[] Snapshot()
    {
        lock (_writeGate)
        {
            if (_snapshotStale)
            {
                _snapshot = _all.ToArray();
                _snapshotStale = false;
            }
            return _snapshot;
        }
    }
}
