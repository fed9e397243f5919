using System.Net;
using BroadcastGrains.PostHog.Network;

namespace BroadcastGrains.PostHog.Connection;

public static class EndpointRules
{
    public const string DefaultEndpoint = "https://us.i.posthog.com";

    /// <summary>
    /// Normalises an endpoint to scheme://host[:port][/base-path] with no trailing slash, or says what is wrong.
    /// Only the static part of the SSRF guard lives here; names are resolved and checked again at connect time.
    /// </summary>
    public static bool TryNormalize(string? endpoint, bool allowPrivate, out string normalized, out string? error)
    {
        normalized = DefaultEndpoint;
        error = null;
        if (endpoint is null) return true;
        endpoint = endpoint.Trim();
        if (endpoint.Length == 0) return true;

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            return Fail("must be an absolute URL such as https://eu.i.posthog.com", out error);
        var httpAllowed = allowPrivate && uri.Scheme == Uri.UriSchemeHttp;
        if (uri.Scheme != Uri.UriSchemeHttps && !httpAllowed)
            return Fail(allowPrivate ? "must be an http or https URL" : "must be an https URL", out error);
        if (uri.UserInfo.Length > 0) return Fail("must not contain credentials", out error);
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0) return Fail("must not contain a query or fragment", out error);

        if (!allowPrivate)
        {
            if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address))
            {
                if (!AddressClassifier.IsPublic(address))
                    return Fail("must not point at a private, loopback or link-local address", out error);
            }
            else if (IsLocalName(uri.IdnHost))
                return Fail("must not point at a local host name", out error);
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        normalized = $"{uri.Scheme}://{uri.Authority.ToLowerInvariant()}{path}";
        return true;
    }

    private static bool IsLocalName(string host) => IsLocalLabel(host.TrimEnd('.'));

    private static bool IsLocalLabel(string host) =>
        !host.Contains('.')
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".local", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".internal", StringComparison.OrdinalIgnoreCase);

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
