using BroadcastGrains.Host.Http;
using BroadcastGrains.Host.Operations;
using BroadcastGrains.Host.WarmUp;
using BroadcastGrains.Workspaces;

namespace BroadcastGrains.Host.Health;

public static class HealthEndpoints
{
    /// <summary>A key no tenant can have (ids exclude '$'), so probing never touches real data.</summary>
    private const string ProbeWorkspace = "$readyz";

    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Ok(new HealthResponse("ok"))).AllowAnonymous().WithTags("Health");
        app.MapGet("/readyz", Ready).AllowAnonymous().WithTags("Health");
    }

    private static async Task<IResult> Ready(
        IGrainFactory grains, IStorageProbe storage, ShutdownCoordinator shutdown, HotPathWarmUp warmUp, CancellationToken cancellationToken)
    {
        if (shutdown.Draining) return Problems.Unavailable("The silo is shutting down.");
        // Until the hot path has run, a load balancer's traffic would meet a silo at a fraction of its speed.
        if (!warmUp.Done) return Problems.Unavailable("The silo is warming up.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            // Activating a grain proves the silo has joined and can place work; it also reads grain storage.
            await grains.GetGrain<IWorkspaceGrain>(ProbeWorkspace).GetRoute().WaitAsync(timeout.Token);
            if (await storage.CheckAsync(timeout.Token) is { } problem) return Problems.Unavailable(problem);
            return Results.Ok(new HealthResponse("ready"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Problems.Unavailable($"The silo is not ready: {ex.GetType().Name}");
        }
    }
}
