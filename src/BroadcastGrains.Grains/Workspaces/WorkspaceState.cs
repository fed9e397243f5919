namespace BroadcastGrains.Grains.Workspaces;

[GenerateSerializer]
public sealed class WorkspaceState
{
    [Id(0)] public bool BroadcastEnabled { get; set; }
    /// <summary>Replaced, never mutated, so that an interleaved Ingest can iterate it safely.</summary>
    [Id(1)] public string[] DestinationIds { get; set; } = [];
}
