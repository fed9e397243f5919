namespace BroadcastGrains.IntegrationTests.Support;

public static class Ids
{
    public static string Workspace() => "ws_" + Guid.NewGuid().ToString("N")[..12];
    public static string ApiKey() => "phc_" + Guid.NewGuid().ToString("N");
    public static string Generation() => "gen-" + Guid.NewGuid().ToString("N")[..16];
}
