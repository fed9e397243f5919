namespace BroadcastGrains.Grains.Workspaces;

[GenerateSerializer]
public sealed class WorkspaceState
{
    [Id(0)] public bool BroadcastEnabled { get; set; }
    /// <summary>Replaced, never mutated, so that an interleaved Ingest can iterate it safely.</summary>
    [Id(1)] public string[] DestinationIds { get; set; } = [];
    /// <summary>
    /// Which of them send prompt and completion text (replaced, never mutated). Null in state saved before it
    /// existed: the grain asks its destinations once on activation.
    /// </summary>
    [Id(2)] public string[]? TextDestinationIds { get; set; }
    /// <summary>
    /// Bumped by each revocation of settings sessions; a token is valid only while it equals the generation the
    /// token was made in. A counter, not a "revoked before" instant: an instant would be compared with the clocks
    /// of whichever silos made the token and the revocation, and a silo whose clock runs ahead could make a token
    /// that outlives a later revocation.
    /// </summary>
    [Id(3)] public long SettingsGeneration { get; set; }
}
