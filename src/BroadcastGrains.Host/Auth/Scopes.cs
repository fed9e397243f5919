namespace BroadcastGrains.Host.Auth;

public static class Scopes
{
    public const string ClaimType = "scope";
    public const string Admin = "admin";
    public const string Ingest = "ingest";
}
