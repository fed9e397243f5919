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
using BroadcastGrains.Host.Workspaces;
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

        var options = config.GetSection(BroadcastOptions.Section).Get<BroadcastOptions>() ?? new BroadcastOptions();
        var auth = config.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        if (env.IsDevelopment())
        {
            if (auth.AdminTokens.Length == 0) auth.AdminTokens = ["dev-admin-token"];
            if (auth.IngestTokens.Length == 0) auth.IngestTokens = ["dev-ingest-token"];
        }
        StartupValidation.Validate(config, env, options, auth);

        var network = new NetworkOptions
        {
            AllowPrivateEndpoints = config.GetValue<bool?>("Broadcast:Network:AllowPrivateEndpoints") ?? env.IsDevelopment(),
        };

        KestrelLimits.Configure(builder);

        var services = builder.Services;
        services.AddSingleton(Options.Create(network));
        services.Configure<DeliveryOptions>(config.GetSection("Broadcast:Delivery"));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<BacklogRegistry>();
        services.AddSingleton(config.GetSection(IngestOptions.Section).Get<IngestOptions>() ?? new IngestOptions());
        services.AddSingleton<WorkspaceRoutes>();
        var shutdown = config.GetSection("Broadcast:Shutdown").Get<ShutdownOptions>() ?? new ShutdownOptions();
        services.AddSingleton(Options.Create(shutdown));
        services.AddSingleton<ShutdownCoordinator>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownCoordinator>());
        services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdown.DrainDelay + shutdown.GracePeriod + TimeSpan.FromSeconds(15));
        TelemetrySetup.Configure(builder);
        services.Configure<MemoryTrimOptions>(config.GetSection(MemoryTrimOptions.Section));
        services.AddHostedService<IdleMemoryTrimmer>();
        services.AddHostedService<SchedulingLagProbe>();
        services.AddHostedService<DeadLetterSweeper>();
        // The gate is made when the first destination activates; bad bounds should stop start-up instead.
        var lanes = (config.GetSection("Broadcast:Delivery").Get<DeliveryOptions>() ?? new DeliveryOptions()).SendLanes();
        if (string.Join(" ", lanes.Problems()) is { Length: > 0 } laneProblems) throw new InvalidOperationException("BroadcastGrains cannot start: " + laneProblems);
        services.AddSingleton(sp => new OutboundGate(sp.GetRequiredService<IOptions<DeliveryOptions>>().Value.SendLanes(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => new PostHogClient(PostHogClient.CreateHttpClient(PostHogHttpHandlerFactory.Create(network))));

        services.AddSingleton(new TokenRegistry(auth));
        services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Scopes.Admin, p => p.RequireClaim(Scopes.ClaimType, Scopes.Admin))
            .AddPolicy(Scopes.Ingest, p => p.RequireClaim(Scopes.ClaimType, Scopes.Ingest));

        services.AddProblemDetails();
        services.AddExceptionHandler<StorageUnavailableHandler>();
        services.AddApiDocumentation();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
        });

        SiloSetup.Configure(builder, options, shutdown);
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
        app.MapTraceEndpoints();
        return app;
    }
}
