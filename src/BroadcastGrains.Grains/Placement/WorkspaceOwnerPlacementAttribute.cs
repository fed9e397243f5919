using Orleans.Placement;

namespace BroadcastGrains.Grains.Placement;

/// <summary>Marks a grain class whose string key starts with its workspace id for <see cref="WorkspaceOwnerPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class WorkspaceOwnerPlacementAttribute() : PlacementAttribute(WorkspaceOwnerPlacement.Instance);
