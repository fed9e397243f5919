using Microsoft.AspNetCore.Authorization;

namespace BroadcastGrains.Host.Auth;

/// <summary>Admin, or a settings token whose workspace is the route's <c>{ws}</c> (CONTRACT §8.4).</summary>
public sealed class WorkspaceAccessRequirement : IAuthorizationRequirement
{
    public static readonly WorkspaceAccessRequirement Instance = new();
}
