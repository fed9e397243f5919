using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BroadcastGrains.Workspaces;

namespace BroadcastGrains.Bench.Baseline;

/// <summary>
/// Just enough of the workspace API for the orchestrator to configure the baseline exactly as it configures
/// BroadcastGrains: the broadcast switch and destination creation with a /flags/ Test Connection.
/// </summary>
public sealed class AdminHandler(DestinationRegistry registry, BatchSender sender, BaselineOptions options)
{
    private readonly BearerCheck _auth = new(options.AdminToken);

    /// <param name="rest">The path after <c>/v1/workspaces/</c>.</param>
    public async Task HandleAsync(HttpContext context, string rest)
    {
        if (!_auth.Passes(context.Request))
        {
            context.Response.StatusCode = 401;
            return;
        }
        var slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            context.Response.StatusCode = 404;
            return;
        }
        var workspaceId = rest[..slash];
        var action = rest[(slash + 1)..].TrimEnd('/');
        if (!Traces.WorkspaceId.IsValid(workspaceId))
        {
            context.Response.StatusCode = 400;
            return;
        }
        if (action == "broadcast" && HttpMethods.IsPut(context.Request.Method)) await SetBroadcastAsync(context, workspaceId);
        else if (action == "destinations" && HttpMethods.IsPost(context.Request.Method)) await AddDestinationAsync(context, workspaceId);
        else context.Response.StatusCode = 404;
    }

    private async Task SetBroadcastAsync(HttpContext context, string workspaceId)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        if (!body.RootElement.TryGetProperty("enabled", out var enabled) || enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            context.Response.StatusCode = 400;
            return;
        }
        registry.GetOrAdd(workspaceId).BroadcastEnabled = enabled.GetBoolean();
        await Reply(context, 200, enabled.GetBoolean() ? """{"enabled":true}""" : """{"enabled":false}""");
    }

    private async Task AddDestinationAsync(HttpContext context, string workspaceId)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        if (!body.RootElement.TryGetProperty("config", out var config)
            || !config.TryGetProperty("api_key", out var keyElement) || keyElement.GetString() is not { } apiKey
            || !config.TryGetProperty("endpoint", out var endpointElement) || endpointElement.GetString() is not { } endpoint)
        {
            context.Response.StatusCode = 400;
            return;
        }
        if (!await TestConnectionAsync(apiKey, endpoint, context.RequestAborted))
        {
            await Reply(context, 422, """{"detail":"Test Connection failed"}""");
            return;
        }
        var id = "dst_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var destination = new BaselineDestination(workspaceId, id, apiKey, endpoint, options.MaxBatchEvents, options.MaxBatchBytes);
        if (!registry.TryAddDestination(registry.GetOrAdd(workspaceId), destination, WorkspaceLimits.MaxDestinations))
        {
            context.Response.StatusCode = 409;
            return;
        }
        await Reply(context, 201, $$"""{"id":"{{id}}"}""");
    }

    private async Task<bool> TestConnectionAsync(string apiKey, string endpoint, CancellationToken cancellationToken)
    {
        var probe = JsonSerializer.Serialize(new Dictionary<string, string> { ["api_key"] = apiKey, ["distinct_id"] = "broadcastgrains-connection-test" });
        using var content = new StringContent(probe, Encoding.UTF8, "application/json");
        try
        {
            using var response = await sender.Http.PostAsync(endpoint.TrimEnd('/') + "/flags/?v=2", content, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static Task Reply(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }
}
