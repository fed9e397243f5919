namespace BroadcastGrains.Workspaces;

public static class WorkspaceLimits
{
    public const int MaxDestinations = 5;
}
