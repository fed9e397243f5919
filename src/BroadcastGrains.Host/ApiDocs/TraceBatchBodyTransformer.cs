using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace BroadcastGrains.Host.ApiDocs;

/// <summary>
/// <c>POST /v1/traces</c> takes one record or an array of at most 1000 (CONTRACT §4); <c>Accepts&lt;TraceRecordBody&gt;</c>
/// can only say the first, so its schema becomes <c>oneOf</c> the record and an array of records.
/// </summary>
public sealed class TraceBatchBodyTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.RelativePath != "v1/traces"
            || operation.RequestBody?.Content?.TryGetValue("application/json", out var media) != true
            || media is not { Schema: { } record })
        {
            return Task.CompletedTask;
        }
        media.Schema = new OpenApiSchema
        {
            OneOf =
            [
                record,
                new OpenApiSchema { Type = JsonSchemaType.Array, Items = record, MaxItems = 1000 },
            ],
        };
        if (operation.RequestBody is OpenApiRequestBody body) body.Required = true;
        return Task.CompletedTask;
    }
}
