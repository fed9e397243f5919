namespace BroadcastGrains.Workspaces;

/// <summary>
/// What the ingest front end needs to route a workspace's records: whether broadcast is on and which
/// destinations exist. The workspace grain is the authority; front ends cache this briefly.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WorkspaceRoute
{
    [Id(0)] public bool BroadcastEnabled { get; init; }
    [Id(1)] public IReadOnlyList<string> DestinationIds { get; init; } = [];

    /// <summary>
    /// The destinations that send prompt and completion text (enabled, not in privacy mode). When none does, the
    /// front end stores no such text for the workspace's records at all (CONTRACT §8.3).
    /// </summary>
    [Id(2)] public IReadOnlyList<string> TextDestinationIds { get; init; } = [];

    public bool StoresText => BroadcastEnabled && TextDestinationIds.Count > 0;
}
