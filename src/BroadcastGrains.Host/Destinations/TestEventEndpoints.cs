using BroadcastGrains.Destinations;
using BroadcastGrains.Host.Auth;
using BroadcastGrains.Host.Http;
using BroadcastGrains.Traces;
using BroadcastGrains.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BroadcastGrains.Host.Destinations;

/// <summary>
/// "Send test trace" (CONTRACT §8.4, the seed's step 5): one synthetic trace through the normal path — the destination
/// grain's Enqueue, so mapping, privacy mode, sampling, the outbox, delivery and the <c>delivery</c> counters are the
/// real ones — to this one destination only.
/// </summary>
public static class TestEventEndpoints
{
    public static void MapTestEventEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/workspaces/{ws}/destinations/{id}/test-event", Send)
            .RequireAuthorization(Scopes.Workspace)
            .AddEndpointFilter(WorkspaceIdFilter.Instance)
            .WithTags("Destinations")
            .WithName("SendTestEvent")
            .WithSummary("Send one test trace to this destination only; it shows in the destination's delivery counters")
            .WithDescription("409 when it cannot arrive: broadcast is off for the workspace, or the destination is disabled. " +
                "The test trace is sampled like any other, with an id the destination's sampling keeps.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<Results<Accepted<TestEventResponse>, ProblemHttpResult>> Send(
        string ws, string id, IGrainFactory grains, TimeProvider clock)
    {
        if (!WorkspaceId.IsValid(id)) return Missing(id);
        var route = await grains.GetGrain<IWorkspaceGrain>(ws).GetRoute();
        if (!route.DestinationIds.Contains(id, StringComparer.Ordinal)) return Missing(id);
        var destination = grains.GetGrain<IDestinationGrain>(DestinationIdentity.Key(ws, id));
        if (await destination.GetSnapshot() is not { } snapshot) return Missing(id);
        // Refused rather than accepted and silently skipped: the page shows the sentence, and the tenant knows what to do.
        if (!route.BroadcastEnabled) return BroadcastOff();
        if (!snapshot.Config.Enabled) return Disabled();

        var generationId = TestTrace.KeptId(id, snapshot.Config.SamplingRate);
        if (generationId is null) return Problems.Conflict("This destination's sampling rate keeps no traces, so a test trace cannot arrive.");
        var result = await destination.Enqueue([TestTrace.Create(ws, generationId, clock.GetUtcNow())], null);
        // Between the checks and the Enqueue another request may have switched something off.
        if (result.Skipped > 0) return (await destination.GetSnapshot())?.Config.Enabled == true ? BroadcastOff() : Disabled();
        if (result.SampledOut > 0) return Problems.Conflict("This destination's sampling rate changed meanwhile; send the test trace again.");
        // Queued, or dead-lettered (a full backlog): either way it is in the destination's counters and dead letters.
        return TypedResults.Accepted((string?)null, new TestEventResponse(generationId));
    }

    private static ProblemHttpResult Missing(string id) => Problems.NotFound($"No destination '{id}' in this workspace.");

    private static ProblemHttpResult BroadcastOff() =>
        Problems.Conflict("Broadcast is off for this workspace: turn on Enable Broadcast, then send the test trace again.");

    private static ProblemHttpResult Disabled() =>
        Problems.Conflict("This destination is disabled: enable it, then send the test trace again.");
}
