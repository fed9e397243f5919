using BroadcastGrains.Destinations;
using BroadcastGrains.Host.Auth;
using BroadcastGrains.Host.Http;
using BroadcastGrains.Host.Ingestion;
using BroadcastGrains.PostHog;
using BroadcastGrains.PostHog.Network;
using BroadcastGrains.Traces;
using BroadcastGrains.Workspaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Host.Destinations;

public static class DestinationEndpoints
{
    private const int MaxDeadLetterLimit = 1000;

    public static void MapDestinationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapWorkspaceGroup("/v1/workspaces/{ws}/destinations", Scopes.Workspace, "Destinations");

        group.MapPost("", Create).WithName("CreateDestination")
            .WithSummary("Add a PostHog destination (runs Test Connection first; nothing is saved when it fails)")
            .Accepts<DestinationRequest>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("", List).WithName("ListDestinations")
            .WithSummary("List the workspace's destinations with their delivery state");
        group.MapPost("/test", Test).WithName("TestDestinationConnection")
            .WithSummary("Run Test Connection against PostHog; saves nothing")
            .Accepts<DestinationRequest>("application/json")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id}", Get).WithName("GetDestination")
            .WithSummary("Read one destination; its API key is masked")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{id}", Patch).WithName("UpdateDestination")
            .WithSummary("Change any subset of a destination's fields; a change to config runs Test Connection again")
            .Accepts<DestinationRequest>("application/json")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{id}", Delete).WithName("DeleteDestination")
            .WithSummary("Delete a destination; its pending events are discarded and counted")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/dead-letters", DeadLetters).WithName("ListDeadLetters")
            .WithSummary("The destination's dead letters (at most limit, default 100, up to 1000)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/dead-letters/replay", Replay).WithName("ReplayDeadLetters")
            .WithSummary("Queue dead letters for sending again, as many as the backlog has room for")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<Created<DestinationResponse>, ProblemHttpResult>> Create(
        string ws, HttpRequest request, IGrainFactory grains, WorkspaceRoutes routes, PostHogClient postHog, IOptions<NetworkOptions> network)
    {
        var (body, error) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.DestinationRequest);
        if (error is not null) return error;
        var errors = DestinationRequestValidator.ValidateCreate(body!, network.Value.AllowPrivateEndpoints, out var config);
        if (errors.Count > 0) return Problems.Validation(errors);

        var workspace = grains.GetGrain<IWorkspaceGrain>(ws);
        // Checked before the test as well as after it: no reason to probe PostHog for a config that cannot be saved.
        if ((await workspace.GetRoute()).DestinationIds.Count >= WorkspaceLimits.MaxDestinations) return TooMany();

        var test = await postHog.TestConnectionAsync(config!.ApiKey, config.Endpoint, request.HttpContext.RequestAborted);
        if (!test.Ok) return Problems.ConnectionFailed(test.Detail!);

        var id = await workspace.AddDestination(config);
        if (id is null) return TooMany();
        routes.Invalidate(ws);
        var view = await grains.GetGrain<IDestinationGrain>(DestinationIdentity.Key(ws, id)).GetView();
        return TypedResults.Created($"/v1/workspaces/{ws}/destinations/{id}", DestinationResponse.From(view!));
    }

    private static async Task<Ok<DestinationListResponse>> List(string ws, IGrainFactory grains)
    {
        var ids = (await grains.GetGrain<IWorkspaceGrain>(ws).GetRoute()).DestinationIds;
        var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<IDestinationGrain>(DestinationIdentity.Key(ws, id)).GetView()));
        return TypedResults.Ok(new DestinationListResponse(views.OfType<DestinationView>().Select(DestinationResponse.From).ToList()));
    }

    private static async Task<Results<Ok<DestinationResponse>, ProblemHttpResult>> Get(string ws, string id, IGrainFactory grains)
    {
        if (!IsDestinationId(id)) return Missing(id);
        var view = await grains.GetGrain<IDestinationGrain>(DestinationIdentity.Key(ws, id)).GetView();
        return view is null ? Missing(id) : TypedResults.Ok(DestinationResponse.From(view));
    }

    private static async Task<Results<Ok<DestinationResponse>, ProblemHttpResult>> Patch(
        string ws, string id, HttpRequest request, IGrainFactory grains, PostHogClient postHog, IOptions<NetworkOptions> network, WorkspaceRoutes routes)
    {
        if (!IsDestinationId(id)) return Missing(id);
        var (body, error) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.DestinationRequest);
        if (error is not null) return error;

        var destination = grains.GetGrain<IDestinationGrain>(DestinationIdentity.Key(ws, id));
        var snapshot = await destination.GetSnapshot();
        if (snapshot is null) return Missing(id);
        var errors = DestinationRequestValidator.ValidatePatch(
            body!, snapshot.Config, network.Value.AllowPrivateEndpoints, out var updated, out var connectionChanged);
        if (errors.Count > 0) return Problems.Validation(errors);

        if (connectionChanged)
        {
            var test = await postHog.TestConnectionAsync(updated.ApiKey, updated.Endpoint, request.HttpContext.RequestAborted);
            if (!test.Ok) return Problems.ConnectionFailed(test.Detail!);
        }
        // The workspace learns that text stops before the destination stops sending it, and that it starts only
        // after: so the journal never drops text a destination still sends, nor keeps text none sends for longer
        // than the route caches of other silos live (CONTRACT §8.3).
        var workspace = grains.GetGrain<IWorkspaceGrain>(ws);
        if (!updated.SendsText) await workspace.SetSendsText(id, false);
        if (!await destination.Update(new DestinationUpdate { Config = updated, ExpectedVersion = snapshot.Version }))
        {
            if ((await destination.GetSnapshot())?.Config.SendsText == true) await workspace.SetSendsText(id, true);
            return Problems.Conflict("The destination was changed or deleted meanwhile; read it again and retry.");
        }
        if (updated.SendsText) await workspace.SetSendsText(id, true);
        routes.Invalidate(ws);
        var view = await destination.GetView();
        return view is null ? Missing(id) : TypedResults.Ok(DestinationResponse.From(view));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string ws, string id, IGrainFactory grains, WorkspaceRoutes routes)
    {
        if (!IsDestinationId(id)) return Missing(id);
        if (!await grains.GetGrain<IWorkspaceGrain>(ws).RemoveDestination(id)) return Missing(id);
        routes.Invalidate(ws);
        return TypedResults.NoContent();
    }

    /// <remarks><paramref name="ws"/> is bound only so that the document lists the route's parameter (the group's filter checks it).</remarks>
    private static async Task<Results<Ok<ConnectionOkResponse>, ProblemHttpResult>> Test(
        string ws, HttpRequest request, PostHogClient postHog, IOptions<NetworkOptions> network)
    {
        var (body, error) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.DestinationRequest);
        if (error is not null) return error;
        var errors = DestinationRequestValidator.ValidateTest(body!, network.Value.AllowPrivateEndpoints, out var apiKey, out var endpoint);
        if (errors.Count > 0) return Problems.Validation(errors);
        var test = await postHog.TestConnectionAsync(apiKey, endpoint, request.HttpContext.RequestAborted);
        return test.Ok ? TypedResults.Ok(new ConnectionOkResponse(true)) : Problems.ConnectionFailed(test.Detail!);
    }

    private static async Task<Results<Ok<DeadLetterListResponse>, ProblemHttpResult>> DeadLetters(string ws, string id, IGrainFactory grains, int? limit)
    {
        if (!IsDestinationId(id)) return Missing(id);
        if (limit is < 1 or > MaxDeadLetterLimit) return Problems.Validation("limit", $"must be between 1 and {MaxDeadLetterLimit}");
        var destination = grains.GetGrain<IDestinationGrain>(DestinationIdentity.Key(ws, id));
        if (await destination.GetSnapshot() is null) return Missing(id);
        var letters = await destination.GetDeadLetters(limit ?? 100);
        return TypedResults.Ok(new DeadLetterListResponse(
            letters.Select(d => new DeadLetterResponse(d.GenerationId, d.Reason, d.Status, d.FailedAt, d.Attempts)).ToList()));
    }

    private static async Task<Results<Accepted<ReplayResponse>, ProblemHttpResult>> Replay(string ws, string id, IGrainFactory grains)
    {
        if (!IsDestinationId(id)) return Missing(id);
        var destination = grains.GetGrain<IDestinationGrain>(DestinationIdentity.Key(ws, id));
        if (await destination.GetSnapshot() is null) return Missing(id);
        // Paged: at most what the backlog has room for; a client replays again while "remaining" is above zero.
        var result = await destination.ReplayDeadLetters();
        return TypedResults.Accepted((string?)null, new ReplayResponse(result.Replayed, result.Remaining, result.Replayed));
    }

    /// <summary>Ids we hand out look like workspace ids; anything else cannot exist and must not create a grain.</summary>
    private static bool IsDestinationId(string id) => WorkspaceId.IsValid(id);

    private static ProblemHttpResult Missing(string id) => Problems.NotFound($"No destination '{id}' in this workspace.");

    private static ProblemHttpResult TooMany() =>
        Problems.Conflict($"A workspace can have at most {WorkspaceLimits.MaxDestinations} destinations; delete one first.");
}
