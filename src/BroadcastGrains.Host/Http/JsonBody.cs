using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BroadcastGrains.Host.Http;

public static class JsonBody
{
    /// <summary>
    /// Reads a small JSON body. A body that is not JSON, or has a value of the wrong type, becomes a 400
    /// naming the field, rather than the framework's bare 400. (Endpoints declare the body's schema with
    /// <c>Accepts&lt;T&gt;</c>, since they read it here instead of binding it.)
    /// </summary>
    public static async Task<(T? Value, ProblemHttpResult? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, type, request.HttpContext.RequestAborted);
            return value is null ? (null, Problems.Validation("body", "must be a JSON object")) : (value, null);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path ? path[2..] : "body";
            return (null, Problems.Validation(field, field == "body" ? "is not valid JSON" : "has the wrong type"));
        }
    }
}
