using Microsoft.Extensions.Options;

namespace BroadcastGrains.Host.Settings;

/// <summary>
/// The security headers of the settings page and its assets (CONTRACT §8.4), made once from the options. The page
/// runs only its own script and talks only to its own origin, so everything else is refused; the token it holds
/// travels in the Authorization header only, so no request of the page carries a Referer.
/// </summary>
public sealed class SettingsPageHeaders
{
    private const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'; ";

    public SettingsPageHeaders(IOptions<SettingsPageOptions> options)
    {
        var origins = options.Value.Origins();
        // X-Frame-Options cannot name origins, and browsers that know frame-ancestors ignore it anyway: sent only
        // when no one may frame the page, for browsers that know nothing else.
        ContentSecurityPolicy = Policy + "frame-ancestors " + (origins.Count == 0 ? "'none'" : string.Join(' ', origins));
        FrameOptions = origins.Count == 0 ? "DENY" : null;
    }

    public string ContentSecurityPolicy { get; }
    public string? FrameOptions { get; }

    public void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        if (FrameOptions is not null) headers.XFrameOptions = FrameOptions;
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        // The page holds no secret (the token stays in the fragment) but is revalidated, so a new release shows at once.
        headers.CacheControl = "no-cache";
    }
}
