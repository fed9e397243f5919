namespace BroadcastGrains.Host.Auth;

public static class Scopes
{
    public const string ClaimType = "scope";
    public const string Admin = "admin";
    public const string Ingest = "ingest";

    /// <summary>The policy of /v1/workspaces/{ws}/…: an admin token, or a settings token of that workspace (CONTRACT §8.4).</summary>
    public const string Workspace = "workspace";

    /// <summary>The one workspace a settings token opens.</summary>
    public const string SettingsWorkspaceClaimType = "settings_workspace";
}
