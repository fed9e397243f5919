using BroadcastGrains.Host.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BroadcastGrains.Host.ApiDocs;

/// <summary>
/// An operation behind <c>RequireAuthorization</c> needs a bearer token: no or an unknown token is 401, a token
/// of the other kind 403 (CONTRACT §2, §8.4), both problem+json from <see cref="BearerTokenHandler"/>. Read from the
/// endpoint's own metadata, so a new endpoint is described right without repeating it.
/// </summary>
public sealed class TokenRequirementTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any()) return Task.CompletedTask;

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(BearerTokenHandler.SchemeName, context.Document)] = [],
        });
        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("401", ProblemResponses.Create("No bearer token, one that is not known, or a settings token that expired or was revoked.", context.Document));
        operation.Responses.TryAdd("403", ProblemResponses.Create("The token is not for this endpoint (admin on /v1/traces, ingest on a workspace, a settings token outside its own workspace or on settings-sessions).", context.Document));
        return Task.CompletedTask;
    }
}
