namespace BroadcastGrains.Host.Ingestion;

/// <summary>How a cached route may be used at a given age.</summary>
public enum RouteFreshness
{
    /// <summary>Younger than its TTL: route from it.</summary>
    Fresh,

    /// <summary>Past its TTL but younger than twice it: route from it and refresh it in the background.</summary>
    Refresh,

    /// <summary>Twice its TTL or older (a workspace that was quiet): fetch before routing.</summary>
    Expired,
}

public static class RouteFreshnessRules
{
    extension(RouteFreshness)
    {
        public static RouteFreshness Judge(long ageMs, long ttlMs) =>
            ageMs < ttlMs ? RouteFreshness.Fresh
            : ageMs < 2 * ttlMs ? RouteFreshness.Refresh
            : RouteFreshness.Expired;
    }
}
