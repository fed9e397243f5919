using BroadcastGrains.Host.Auth;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BroadcastGrains.Host.ApiDocs;

/// <summary>
/// The document's title and the bearer scheme of CONTRACT §2. Which operations need a token, and so can answer
/// 401 and 403, is <see cref="TokenRequirementTransformer"/>'s business.
/// </summary>
public sealed class BearerSchemeTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "BroadcastGrains API",
            Version = "v1",
            Description = "Forwards LLM traces to each workspace's own PostHog project as $ai_generation events. "
                + "Workspace endpoints take an admin token (or a settings token of that workspace), POST /v1/traces an ingest token. "
                + "Errors are application/problem+json; a 400 names each bad field in `errors`, and a 503 carries Retry-After.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerTokenHandler.SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "`Authorization: Bearer <token>`. Admin tokens for /v1/workspaces/…, ingest tokens for /v1/traces; the other kind is 403. "
                + "A settings token (`bgs_…`, made by POST /v1/workspaces/{ws}/settings-sessions) works like an admin token on "
                + "/v1/workspaces/{ws}/… of its own workspace only, and until its expires_at or a revocation (then 401); "
                + "on another workspace, on /v1/traces and on settings-sessions it is 403.",
        };
        return Task.CompletedTask;
    }
}
