using Microsoft.AspNetCore.Authorization;

namespace BroadcastGrains.Host.Auth;

/// <summary>
/// Decides <see cref="WorkspaceAccessRequirement"/>. A settings token on another workspace's route fails here and
/// is answered 403 (it is a valid token, just not for this workspace).
/// </summary>
public sealed class WorkspaceAccessHandler : AuthorizationHandler<WorkspaceAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, WorkspaceAccessRequirement requirement)
    {
        var user = context.User;
        if (user.HasClaim(Scopes.ClaimType, Scopes.Admin))
        {
            context.Succeed(requirement);
        }
        else if (user.FindFirst(Scopes.SettingsWorkspaceClaimType)?.Value is { } workspace
            && context.Resource is HttpContext http
            && http.Request.RouteValues["ws"] is string ws
            && string.Equals(ws, workspace, StringComparison.Ordinal))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
