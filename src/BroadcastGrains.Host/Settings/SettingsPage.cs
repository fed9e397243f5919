using BroadcastGrains.Host.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BroadcastGrains.Host.Settings;

/// <summary>
/// <c>GET /settings/{ws}</c> (CONTRACT §8.4): a static page and two assets, embedded in the host. It is anonymous —
/// the token is in the address's fragment, which the browser never sends — and the page's script calls the
/// workspace API with that token. Not part of the API description (CONTRACT §8.5 lists only /v1 operations).
/// </summary>
public static class SettingsPage
{
    public static IServiceCollection AddSettingsPage(this IServiceCollection services)
    {
        services.AddOptions<SettingsPageOptions>().BindConfiguration(SettingsPageOptions.Section)
            // The binder fills an array only from numbered keys; one plain value (an environment variable) is a list too.
            .Configure<IConfiguration>((o, config) =>
            {
                if (config[SettingsPageOptions.FrameAncestorsKey] is { Length: > 0 } list) o.FrameAncestors = [list, .. o.FrameAncestors];
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<SettingsPageHeaders>();
        return services;
    }

    public static void MapSettingsPage(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/settings")
            .AllowAnonymous()
            .ExcludeFromDescription()
            .AddEndpointFilter(static (context, next) =>
            {
                // First, so that a 400 for a malformed {ws} carries them too.
                context.HttpContext.RequestServices.GetRequiredService<SettingsPageHeaders>().Apply(context.HttpContext.Response);
                return next(context);
            });
        // Read here, so that a host built without them fails at start rather than on the first visit.
        var html = SettingsAsset.Load("settings.html", "text/html; charset=utf-8");
        var assets = SettingsAsset.LoadScriptsAndStyles();
        // {ws} is checked by the filter; the page reads it from its own address.
        group.MapGet("/{ws}", (string ws) => Serve(html)).AddEndpointFilter(WorkspaceIdFilter.Instance);
        group.MapGet("/assets/{file}", Results<FileContentHttpResult, ProblemHttpResult> (string file) =>
            assets.TryGetValue(file, out var asset) ? Serve(asset) : Problems.NotFound($"The settings page has no file {file}."));
    }

    private static FileContentHttpResult Serve(SettingsAsset asset) =>
        TypedResults.Bytes(asset.Content, asset.ContentType, entityTag: asset.ETag);
}
