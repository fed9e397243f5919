namespace BroadcastGrains.Host.Http;

public static class WorkspaceRouteGroup
{
    /// <summary>
    /// A group under <c>/v1/workspaces/{ws}/…</c>: the token scope it needs, a 400 for a malformed {ws} before any grain
    /// is touched (<see cref="WorkspaceIdFilter"/>), and the 400 and 503 every such endpoint can answer, documented once.
    /// 401 and 403 come with the scope (TokenRequirementTransformer).
    /// </summary>
    public static RouteGroupBuilder MapWorkspaceGroup(this IEndpointRouteBuilder app, string pattern, string scope, string tag) =>
        app.MapGroup(pattern)
            .RequireAuthorization(scope)
            .AddEndpointFilter(WorkspaceIdFilter.Instance)
            .WithTags(tag)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
