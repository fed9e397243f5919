namespace BroadcastGrains.PostHog.Network;

/// <summary>Bound from <c>Broadcast:Network</c>.</summary>
public sealed class NetworkOptions
{
    public const string Section = "Broadcast:Network";

    /// <summary>Lets destinations use http:// and loopback/private addresses (self-hosted PostHog, tests).</summary>
    public bool AllowPrivateEndpoints { get; set; }
}
