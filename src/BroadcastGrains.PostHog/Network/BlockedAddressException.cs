namespace BroadcastGrains.PostHog.Network;

/// <summary>The endpoint's host resolved only to addresses the SSRF guard refuses.</summary>
public sealed class BlockedAddressException(string host)
    : Exception($"'{host}' resolves only to private, loopback or otherwise non-public addresses");
