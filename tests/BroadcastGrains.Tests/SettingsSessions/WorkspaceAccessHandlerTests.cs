using System.Security.Claims;
using BroadcastGrains.Host.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace BroadcastGrains.Tests.SettingsSessions;

/// <summary>CONTRACT §8.4: a settings token opens its own workspace's routes only; an admin token opens every one.</summary>
public class WorkspaceAccessHandlerTests
{
    private static async Task<bool> Allowed(ClaimsPrincipal user, string? routeWorkspace)
    {
        var http = new DefaultHttpContext();
        if (routeWorkspace is not null) http.Request.RouteValues["ws"] = routeWorkspace;
        var context = new AuthorizationHandlerContext([WorkspaceAccessRequirement.Instance], user, http);
        await new WorkspaceAccessHandler().HandleAsync(context);
        return context.HasSucceeded;
    }

    private static ClaimsPrincipal User(string type, string value) => new(new ClaimsIdentity([new Claim(type, value)], "Bearer"));

    [Fact]
    public async Task A_settings_token_opens_its_own_workspace_only()
    {
        var user = User(Scopes.SettingsWorkspaceClaimType, "ws_a");
        Assert.True(await Allowed(user, "ws_a"));
        Assert.False(await Allowed(user, "ws_b"));
        Assert.False(await Allowed(user, "WS_A"));
        Assert.False(await Allowed(user, null));
    }

    [Fact]
    public async Task An_admin_opens_every_workspace_and_an_ingest_token_none()
    {
        Assert.True(await Allowed(User(Scopes.ClaimType, Scopes.Admin), "ws_b"));
        Assert.False(await Allowed(User(Scopes.ClaimType, Scopes.Ingest), "ws_b"));
    }
}
