using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BroadcastGrains.Host.ApiDocs;

/// <summary>
/// Problem responses as the document states them: each with the ProblemDetails schema and a description a
/// reader can act on, and a 503 with its Retry-After header (the standard of every 503 of ours).
/// </summary>
public sealed class ProblemResponses : IOpenApiOperationTransformer
{
    private const string ProblemContentType = "application/problem+json";

    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["400"] = "The request is invalid; `errors` names each bad field (for /v1/traces `[index].field.path` or `field.path`).",
        ["404"] = "No such destination in this workspace.",
        ["409"] = "In conflict with the current state; `detail` says what to do: the workspace already has 5 destinations, the destination "
            + "was changed meanwhile (read it again and retry), or a test trace cannot arrive (broadcast is off, or the destination is disabled).",
        ["413"] = "More than 1000 records or 10 MB in one request.",
        ["422"] = "Test Connection failed; `detail` says why (rejected key, wrong region, unreachable, TLS, timeout). Nothing was saved.",
        ["503"] = "Trouble of ours (storage unreachable or slow, a queue or the memory budget spent, the silo shutting down): retry after Retry-After seconds.",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.Responses is null) return Task.CompletedTask;
        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse concrete) continue;
            if (Descriptions.TryGetValue(status, out var description)) concrete.Description = description;
            if (status == "503")
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before retrying.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                };
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>A problem response for statuses no endpoint declares itself (401 and 403 come from the auth handler).</summary>
    public static OpenApiResponse Create(string description, OpenApiDocument? document) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [ProblemContentType] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", document) },
        },
    };
}
