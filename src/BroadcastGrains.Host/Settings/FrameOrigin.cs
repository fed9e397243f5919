namespace BroadcastGrains.Host.Settings;

/// <summary>
/// What may stand in a <c>frame-ancestors</c> list of ours: an http(s) origin (its host may start with <c>*.</c>, as CSP
/// allows) or <c>'self'</c>. Anything else — a bare <c>*</c>, a path, a scheme-only source, a quote or semicolon that
/// would inject another directive — is refused at start.
/// </summary>
public static class FrameOrigin
{
    public static bool IsValid(string value)
    {
        if (value == "'self'") return true;
        if (value.Any(c => char.IsWhiteSpace(c) || c is ';' or ',' or '\'' or '"' || char.IsControl(c))) return false;
        var schemeEnd = value.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return false;
        var scheme = value[..schemeEnd];
        if (!scheme.Equals("https", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("http", StringComparison.OrdinalIgnoreCase)) return false;
        var authority = value[(schemeEnd + 3)..];
        // A wildcard is allowed only as the whole first label; Uri would not parse it, so check the rest in its place.
        if (authority.StartsWith("*.", StringComparison.Ordinal)) authority = "wildcard" + authority[1..];
        if (authority.Length == 0 || authority.Contains('*') || authority.Contains('/') || authority.Contains('?')
            || authority.Contains('#') || authority.Contains('@')) return false;
        return Uri.TryCreate($"{scheme}://{authority}/", UriKind.Absolute, out var uri)
            && uri.HostNameType is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6
            && uri.AbsolutePath == "/";
    }
}
