using BroadcastGrains.Host.Auth;
using BroadcastGrains.Host.Http;
using BroadcastGrains.Workspaces;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BroadcastGrains.Host.SettingsSessions;

/// <summary>Settings sessions (CONTRACT §8.4): an admin hands a tenant a short-lived token for its own workspace only.</summary>
public static class SettingsSessionEndpoints
{
    public static void MapSettingsSessionEndpoints(this IEndpointRouteBuilder app)
    {
        // Admins only: a settings token must not mint more of itself or revoke itself and its siblings (403).
        var group = app.MapWorkspaceGroup("/v1/workspaces/{ws}/settings-sessions", Scopes.Admin, "Settings sessions");

        group.MapPost("", Create).WithName("CreateSettingsSession")
            .WithSummary("Make a settings token and page link for this workspace only (ttl_seconds 60 to 86400, default 3600)")
            .Accepts<SettingsSessionRequest>("application/json");
        group.MapDelete("", Revoke).WithName("RevokeSettingsSessions")
            .WithSummary("Revoke every settings token of this workspace made until now; tokens made afterwards work");
    }

    private static async Task<Results<Created<SettingsSessionResponse>, ProblemHttpResult>> Create(
        string ws, HttpRequest request, IGrainFactory grains, SettingsTokenCodec codec)
    {
        var ttl = (long)SettingsSessionRequest.DefaultTtlSeconds;
        // No body at all reads as {}: `curl -X POST` is the natural way to ask for a session.
        if (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false)
        {
            var (body, error) = await JsonBody.ReadAsync(request, ApiJsonContext.Default.SettingsSessionRequest);
            if (error is not null) return error;
            ttl = body!.TtlSeconds ?? ttl;
        }
        if (ttl is < SettingsSessionRequest.MinTtlSeconds or > SettingsSessionRequest.MaxTtlSeconds)
            return Problems.Validation("ttl_seconds", $"must be between {SettingsSessionRequest.MinTtlSeconds} and {SettingsSessionRequest.MaxTtlSeconds}");

        var generation = await grains.GetGrain<IWorkspaceGrain>(ws).GetSettingsGeneration();
        var token = codec.Issue(ws, generation, TimeSpan.FromSeconds(ttl), out var expiresAt);
        return TypedResults.Created((string?)null, new SettingsSessionResponse(token, $"/settings/{ws}#token={token}", expiresAt.UtcDateTime));
    }

    private static async Task<NoContent> Revoke(string ws, IGrainFactory grains, SettingsGenerations generations)
    {
        generations.Revoked(ws, await grains.GetGrain<IWorkspaceGrain>(ws).RevokeSettingsSessions());
        return TypedResults.NoContent();
    }
}
