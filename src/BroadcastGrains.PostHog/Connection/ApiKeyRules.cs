namespace BroadcastGrains.PostHog.Connection;

public static class ApiKeyRules
{
    /// <summary>^phc_[A-Za-z0-9_-]{10,}$</summary>
    public static bool IsValid(string? key)
    {
        if (key is null || key.Length < 14 || !key.StartsWith("phc_", StringComparison.Ordinal)) return false;
        foreach (var c in key.AsSpan(4))
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-')) return false;
        }
        return true;
    }

    /// <summary>At most the first 6 and last 4 characters survive; the middle becomes one ellipsis.</summary>
    public static string Mask(string key) =>
        key.Length <= 10 ? new string('…', 1) : string.Concat(key.AsSpan(0, 6), "…", key.AsSpan(key.Length - 4));

    /// <summary>A client that GETs a destination and PUTs it back sends the masked key: that means "unchanged".</summary>
    public static bool IsMasked(string key) => key.Contains('…');
}
