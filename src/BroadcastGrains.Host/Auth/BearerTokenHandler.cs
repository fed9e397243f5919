using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using BroadcastGrains.Host.SettingsSessions;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Host.Auth;

public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenRegistry tokens,
    SettingsTokenCodec settingsTokens,
    SettingsGenerations generations) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        string token;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) token = header["Bearer ".Length..].Trim();
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) && IsDashboard && TryBasicPassword(header, out var password)) token = password;
        else return AuthenticateResult.Fail("Authorization is not a bearer token");

        if (SettingsTokenCodec.IsSettingsToken(token)) return await AuthenticateSettingsAsync(token);

        var scopes = tokens.ScopesOf(token);
        if (scopes.Count == 0) return AuthenticateResult.Fail("Unknown bearer token");

        var claims = scopes.Select(s => new Claim(Scopes.ClaimType, s));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>
    /// A settings token (CONTRACT §8.4) opens one workspace: it grants no scope, only the workspace claim that the
    /// <see cref="WorkspaceAccessHandler"/> compares with the route. Failure messages name the reason, never the token.
    /// </summary>
    private async Task<AuthenticateResult> AuthenticateSettingsAsync(string value)
    {
        var status = settingsTokens.TryRead(value, out var token);
        if (status == SettingsTokenStatus.Valid && await generations.CurrentAsync(token.WorkspaceId, token.Generation) != token.Generation)
            status = SettingsTokenStatus.Revoked;
        if (status != SettingsTokenStatus.Valid)
        {
            Context.Items[typeof(SettingsTokenStatus)] = status;
            return AuthenticateResult.Fail($"Settings token refused: {status}");
        }
        var identity = new ClaimsIdentity([new Claim(Scopes.SettingsWorkspaceClaimType, token.WorkspaceId)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
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
        // A settings page shows the detail as it is (CONTRACT §8.4: it says plainly when the token expired or was revoked).
        var detail = Context.Items[typeof(SettingsTokenStatus)] switch
        {
            SettingsTokenStatus.Expired => "This settings link has expired; ask for a new one.",
            SettingsTokenStatus.Revoked => "This settings link was revoked; ask for a new one.",
            SettingsTokenStatus.Invalid => "This settings link is not valid or has expired; ask for a new one.",
            _ => "A valid bearer token is required.",
        };
        return Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problem(StatusCodes.Status403Forbidden, "Forbidden", "This token is not allowed on this endpoint.");

    private Task Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(Context);
}
