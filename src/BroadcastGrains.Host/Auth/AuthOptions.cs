namespace BroadcastGrains.Host.Auth;

/// <summary>Bound from <c>Broadcast:Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Broadcast:Auth";
    public string[] AdminTokens { get; set; } = [];
    public string[] IngestTokens { get; set; } = [];
}
