using BroadcastGrains.Grains;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Host.Operations;
using Orleans.Dashboard;
using BroadcastGrains.Host.Auth;
using BroadcastGrains.Host.Destinations;
using BroadcastGrains.Host.Health;
using BroadcastGrains.Host.Http;
using BroadcastGrains.Host.Ingestion;
using BroadcastGrains.Host.Settings;
using BroadcastGrains.Host.SettingsSessions;
using BroadcastGrains.Host.Workspaces;
using BroadcastGrains.Host.WarmUp;
using BroadcastGrains.PostHog;
using BroadcastGrains.PostHog.Delivery;
using BroadcastGrains.PostHog.Network;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Host.Composition;

/// <summary>Composes the front-end silo: configuration, the co-hosted Orleans silo and the HTTP API.</summary>
public static class BroadcastApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json travels with the binaries: find it there whatever the working directory is.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var config = builder.Configuration;
        var env = builder.Environment;

        // What decides the composition itself is read here; every section is also registered as validated options
        // below, so a bad value stops start-up naming its key (ValidateOnStart runs before any service starts).
        var options = config.GetSection(BroadcastOptions.Section).Get<BroadcastOptions>() ?? new BroadcastOptions();
        var auth = config.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        if (env.IsDevelopment()) DevelopmentTokens(auth);
        StartupValidation.Validate(config, env, options, auth);

        var services = builder.Services;
        services.AddOptions<BroadcastOptions>().BindConfiguration(BroadcastOptions.Section).ValidateOnStart();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .PostConfigure<IHostEnvironment>((o, e) =>
            {
                if (e.IsDevelopment()) DevelopmentTokens(o);
            })
            .ValidateOnStart();
        // Tokens, the connection string and the cluster certificate are checked above, before the silo is composed.
        services.AddOptions<ClusterTlsOptions>().BindConfiguration(ClusterTlsOptions.Section).ValidateOnStart();
        // Development allows http:// and loopback PostHog endpoints unless configuration says otherwise (CONTRACT §1).
        services.AddBroadcastPostHog(network => network.Configure<IHostEnvironment>((o, e) => o.AllowPrivateEndpoints = e.IsDevelopment()));
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MemoryTrimOptions>().BindConfiguration(MemoryTrimOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        KestrelLimits.Configure(builder);

        services.AddSingleton(sp => sp.GetRequiredService<IOptions<IngestOptions>>().Value);
        services.AddSingleton<WorkspaceRoutes>();
        services.AddSingleton<TraceDispatcher>();
        services.AddSingleton<ShutdownCoordinator>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownCoordinator>());
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((o, shutdown) =>
            o.ShutdownTimeout = shutdown.Value.DrainDelay + shutdown.Value.GracePeriod + TimeSpan.FromSeconds(15));
        TelemetrySetup.Configure(builder);
        services.AddHostedService<IdleMemoryTrimmer>();
        services.AddHostedService<SchedulingLagProbe>();
        services.AddOptions<WarmUpOptions>().BindConfiguration(WarmUpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<HotPathWarmUp>();
        services.AddHostedService(sp => sp.GetRequiredService<HotPathWarmUp>());

        services.AddSingleton(sp => new TokenRegistry(sp.GetRequiredService<IOptions<AuthOptions>>().Value));
        services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        services.AddSingleton<SettingsTokenCodec>();
        services.AddSingleton(sp => new SettingsGenerations(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, WorkspaceAccessHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Scopes.Admin, p => p.RequireClaim(Scopes.ClaimType, Scopes.Admin))
            .AddPolicy(Scopes.Workspace, p => p.AddRequirements(WorkspaceAccessRequirement.Instance))
            .AddPolicy(Scopes.Ingest, p => p.RequireClaim(Scopes.ClaimType, Scopes.Ingest));

        services.AddProblemDetails();
        services.AddExceptionHandler<StorageUnavailableHandler>();
        services.AddApiDocumentation();
        services.AddSettingsPage();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
        });

        SiloSetup.Configure(builder, options);
        var hasDatabase = options.Storage == StorageMode.Postgres || options.Clustering == ClusteringMode.Postgres;
        DataProtectionSetup.Configure(builder, hasDatabase);

        var app = builder.Build();
        DataProtectionSetup.WarnIfRingUnprotected(app, hasDatabase);
        if (options.Storage == StorageMode.Memory)
        {
            app.Logger.LogWarning(
                "Broadcast:Storage is Memory: destinations, broadcast switches and queued events live only in this process and do not survive a restart. Set Broadcast:Storage=Postgres for durability.");
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapApiDocumentation();
        app.MapPrometheusScrapingEndpoint();
        if (options.Dashboard.Enabled) app.MapOrleansDashboard("/dashboard").RequireAuthorization(Scopes.Admin);
        app.MapHealthEndpoints();
        app.MapBroadcastEndpoints();
        app.MapDestinationEndpoints();
        app.MapTestEventEndpoints();
        app.MapSettingsSessionEndpoints();
        app.MapTraceEndpoints();
        app.MapSettingsPage();
        return app;
    }

    private static void DevelopmentTokens(AuthOptions auth)
    {
        if (auth.AdminTokens.Length == 0) auth.AdminTokens = ["dev-admin-token"];
        if (auth.IngestTokens.Length == 0) auth.IngestTokens = ["dev-ingest-token"];
    }
}
