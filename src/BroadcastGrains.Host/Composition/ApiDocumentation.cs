using System.Text.Json;
using System.Text.Json.Serialization;
using BroadcastGrains.Host.ApiDocs;
using BroadcastGrains.Host.Auth;
using Microsoft.AspNetCore.OpenApi;
using Scalar.AspNetCore;

namespace BroadcastGrains.Host.Composition;

/// <summary>
/// The API description of CONTRACT §8.5 at <c>/openapi/v1.json</c> (every <c>/v1</c> operation and nothing else)
/// and its reference page at <c>/docs</c>.
/// </summary>
public static class ApiDocumentation
{
    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        services.AddOpenApi(options =>
        {
            // The dashboard, health, metrics and the documents themselves are not part of the API a client uses.
            options.ShouldInclude = description => description.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true;
            // "Any JSON value" (trace metadata, message content, error) stays an inline {} rather than a component
            // named after .NET's JsonElement, which generators would turn into an empty object type.
            options.CreateSchemaReferenceId = type =>
                (Nullable.GetUnderlyingType(type.Type) ?? type.Type) == typeof(JsonElement) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            options.AddDocumentTransformer<BearerSchemeTransformer>();
            options.AddOperationTransformer<TokenRequirementTransformer>();
            options.AddOperationTransformer<ProblemResponses>();
            options.AddOperationTransformer<TraceBatchBodyTransformer>();
        });
        // The schemas are made from the HTTP JSON options. Every body is read with ApiJsonContext, whose numbers
        // are strict, so these say the same: otherwise each number would be documented as "number or string".
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        return services;
    }

    public static void MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        // Scalar's script is embedded in its package and served from here; what it would otherwise fetch from
        // elsewhere (fonts from a CDN, telemetry, its AI agent, MCP) is turned off, so the page works offline, and
        // so is the toolbar it shows on localhost, whose buttons lead to Scalar's own site.
        app.MapScalarApiReference("/docs", options => options
                .WithTitle("BroadcastGrains API")
                .AddPreferredSecuritySchemes(BearerTokenHandler.SchemeName)
                .HideDeveloperTools()
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp())
            .AllowAnonymous();
    }
}
