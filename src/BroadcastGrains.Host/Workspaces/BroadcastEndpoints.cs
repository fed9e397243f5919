using BroadcastGrains.Host.Auth;
using BroadcastGrains.Host.Http;
using BroadcastGrains.Host.Ingestion;
using BroadcastGrains.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BroadcastGrains.Host.Workspaces;

public static class BroadcastEndpoints
{
    public static void MapBroadcastEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapWorkspaceGroup("/v1/workspaces/{ws}/broadcast", Scopes.Workspace, "Workspaces");

        group.MapGet("", Get).WithName("GetBroadcast")
            .WithSummary("Whether the workspace broadcasts its traces (default: off)");
        group.MapPut("", Set).WithName("SetBroadcast")
            .WithSummary("Turn broadcasting on or off for the workspace")
            .Accepts<BroadcastSwitch>("application/json");
    }

    private static async Task<Ok<BroadcastSwitchResponse>> Get(string ws, IGrainFactory grains) =>
        TypedResults.Ok(new BroadcastSwitchResponse((await grains.GetGrain<IWorkspaceGrain>(ws).GetRoute()).BroadcastEnabled));

    private static async Task<Results<Ok<BroadcastSwitchResponse>, ProblemHttpResult>> Set(
        string ws, HttpRequest request, IGrainFactory grains, WorkspaceRoutes routes)
    {
        var (body, error) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.BroadcastSwitch);
        if (error is not null) return error;
        if (body!.Enabled is not { } enabled) return Problems.Validation("enabled", "is required (true or false)");
        await grains.GetGrain<IWorkspaceGrain>(ws).SetBroadcast(enabled);
        routes.Invalidate(ws);
        return TypedResults.Ok(new BroadcastSwitchResponse(enabled));
    }
}
