using BroadcastGrains.Destinations;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Workspaces;

/// <summary>A tenant: the broadcast switch and the ids of its destinations. Keyed by workspace id.</summary>
public interface IWorkspaceGrain : IGrainWithStringKey
{
    [AlwaysInterleave]
    Task<bool> GetBroadcast();

    Task SetBroadcast(bool enabled);

    [AlwaysInterleave]
    Task<IReadOnlyList<string>> GetDestinationIds();

    /// <summary>Creates a destination with a new id; null when the workspace already has the maximum.</summary>
    Task<string?> AddDestination(DestinationConfig config);

    Task<bool> RemoveDestination(string destinationId);

    /// <summary>Hands the records to every enabled destination when broadcast is on; returns deliveries queued.</summary>
    [AlwaysInterleave]
    Task<int> Ingest([Immutable] IReadOnlyList<TraceRecord> records);
}
