using System.ComponentModel.DataAnnotations;

namespace BroadcastGrains.Host.Workspaces;

public sealed class BroadcastSwitch
{
    [Required]
    public bool? Enabled { get; set; }
}

public sealed record BroadcastSwitchResponse(bool Enabled);
