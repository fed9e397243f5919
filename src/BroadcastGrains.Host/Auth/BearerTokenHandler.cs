using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Host.Auth;

public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenRegistry tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return Task.FromResult(AuthenticateResult.NoResult());
        string token;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) token = header["Bearer ".Length..].Trim();
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) && IsDashboard && TryBasicPassword(header, out var password)) token = password;
        else return Task.FromResult(AuthenticateResult.Fail("Authorization is not a bearer token"));

        var scopes = tokens.ScopesOf(token);
        if (scopes.Count == 0) return Task.FromResult(AuthenticateResult.Fail("Unknown bearer token"));

        var claims = scopes.Select(s => new Claim(Scopes.ClaimType, s));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    /// <summary>
    /// Browsers cannot send a bearer header, so the dashboard also takes HTTP Basic with the admin token as the
    /// password (any user name) and challenges with Basic to make the browser ask for it.
    /// </summary>
    private bool IsDashboard => Request.Path.StartsWithSegments("/dashboard");

    private static bool TryBasicPassword(string header, out string password)
    {
        password = "";
        try
        {
            var decoded = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':');
            if (colon < 0) return false;
            password = decoded[(colon + 1)..];
            return password.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = IsDashboard ? "Basic realm=\"BroadcastGrains dashboard\", charset=\"UTF-8\"" : "Bearer";
        return Problem(StatusCodes.Status401Unauthorized, "Unauthorized", "A valid bearer token is required.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problem(StatusCodes.Status403Forbidden, "Forbidden", "This token is not allowed on this endpoint.");

    private Task Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(Context);
}
