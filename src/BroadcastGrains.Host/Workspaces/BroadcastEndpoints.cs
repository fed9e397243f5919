using BroadcastGrains.Host.Auth;
using BroadcastGrains.Host.Http;
using BroadcastGrains.Host.Ingestion;
using BroadcastGrains.Workspaces;

namespace BroadcastGrains.Host.Workspaces;

public static class BroadcastEndpoints
{
    public static void MapBroadcastEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/workspaces/{ws}/broadcast")
            .RequireAuthorization(Scopes.Admin)
            .AddEndpointFilter(WorkspaceIdFilter.Instance)
            .WithTags("Workspaces");

        group.MapGet("/", async (string ws, IGrainFactory grains) =>
            Results.Ok(new BroadcastSwitchResponse((await grains.GetGrain<IWorkspaceGrain>(ws).GetRoute()).BroadcastEnabled)));

        group.MapPut("/", async (string ws, HttpRequest request, IGrainFactory grains, WorkspaceRoutes routes) =>
        {
            var (body, error) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.BroadcastSwitch);
            if (error is not null) return error;
            if (body!.Enabled is not { } enabled) return Problems.Validation("enabled", "is required (true or false)");
            await grains.GetGrain<IWorkspaceGrain>(ws).SetBroadcast(enabled);
            routes.Invalidate(ws);
            return Results.Ok(new BroadcastSwitchResponse(enabled));
        });
    }
}
