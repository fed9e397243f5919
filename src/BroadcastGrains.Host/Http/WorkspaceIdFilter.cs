using BroadcastGrains.Traces;

namespace BroadcastGrains.Host.Http;

/// <summary>Rejects a malformed {ws} route value before any grain is touched.</summary>
public sealed class WorkspaceIdFilter : IEndpointFilter
{
    public static readonly WorkspaceIdFilter Instance = new();

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var ws = context.HttpContext.Request.RouteValues["ws"] as string;
        if (ws is null || !WorkspaceId.IsValid(ws))
            return ValueTask.FromResult<object?>(Problems.Validation("workspace_id", "must match ^[A-Za-z0-9_-]{1,64}$"));
        return next(context);
    }
}
