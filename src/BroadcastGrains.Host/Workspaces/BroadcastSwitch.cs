namespace BroadcastGrains.Host.Workspaces;

public sealed class BroadcastSwitch
{
    public bool? Enabled { get; set; }
}

public sealed record BroadcastSwitchResponse(bool Enabled);
