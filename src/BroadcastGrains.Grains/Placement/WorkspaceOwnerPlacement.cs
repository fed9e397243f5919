namespace BroadcastGrains.Grains.Placement;

/// <summary>
/// Places a workspace's grains (its workspace grain and its destination grains) on the silo that owns the workspace
/// (<see cref="OwnerRing"/>), so that ingest can hand each silo its share of a request in one call and the share's
/// grain calls stay local (issue 18).
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class WorkspaceOwnerPlacement : PlacementStrategy
{
    public static WorkspaceOwnerPlacement Instance { get; } = new();
}
