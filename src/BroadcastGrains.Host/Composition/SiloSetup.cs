using System.Net;
using BroadcastGrains.Grains;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.Host.Health;
using BroadcastGrains.Host.Ingestion;
using BroadcastGrains.Host.Operations;
using BroadcastGrains.Host.Routing;
using Orleans.Dashboard;
using Npgsql;
using Orleans.Configuration;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Host.Composition;

/// <summary>
/// The co-hosted Orleans silo: clustering, grain storage and the outbox, chosen by configuration. The grains' layer
/// composes itself (<see cref="BroadcastSiloBuilderExtensions"/>); what is left here is the host's part of each mode.
/// </summary>
public static class SiloSetup
{
    private const string Invariant = "Npgsql";

    public static void Configure(WebApplicationBuilder builder, BroadcastOptions options)
    {
        var config = builder.Configuration;
        var services = builder.Services;
        var siloPort = config.GetValue("Orleans:SiloPort", 11111);
        var gatewayPort = config.GetValue("Orleans:GatewayPort", 30000);
        var connectionString = config.GetConnectionString("Postgres");
        var usesPostgres = options.Storage == StorageMode.Postgres || options.Clustering == ClusteringMode.Postgres;

        if (usesPostgres)
        {
            // Neither our statements nor the AdoNet providers' (which open connections from the string) leave
            // session state behind, so skip the DISCARD ALL on every pooled connection.
            connectionString = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString;
            services.AddBroadcastPostgres(connectionString);
            // Registered before the silo so that the tables exist when clustering and storage start.
            if (options.MigrateOnStartup) services.AddHostedService<SchemaMigrationService>();
        }

        if (options.Storage == StorageMode.Postgres)
        {
            services.AddSingleton(sp => new TraceIngest(
                sp.GetRequiredService<TraceDispatcher>(),
                sp.GetRequiredService<IOptions<JournalOptions>>().Value.Enabled ? sp.GetRequiredService<IngestJournal>() : null));
            // One Localhost silo is the whole cluster, so any other owner is a previous run of it.
            var unknownOwnerSettle = options.Clustering == ClusteringMode.Localhost ? TimeSpan.Zero : TimeSpan.FromMinutes(1);
            // Before the storage's own recovery step (registered with the silo below): journal rows are replayed
            // before destinations with stored events are woken.
            services.AddSingleton<IRecoveryStep>(sp => ActivatorUtilities.CreateInstance<JournalReplayStep>(sp, unknownOwnerSettle));
            services.AddSingleton<IStorageProbe>(sp => new PostgresStorageProbe(sp.GetRequiredService<NpgsqlDataSource>()));
        }
        else
        {
            services.AddSingleton(sp => new TraceIngest(sp.GetRequiredService<TraceDispatcher>(), null));
            services.AddSingleton<IStorageProbe, MemoryStorageProbe>();
        }

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = config.GetValue("Orleans:ClusterId", "broadcastgrains")!;
                o.ServiceId = config.GetValue("Orleans:ServiceId", "broadcastgrains")!;
            });
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                // Ours first (a replaced silo joins within seconds, see MembershipDefaults), configuration over them.
                MembershipDefaults.Apply(o);
                config.GetSection("Orleans:Membership").Bind(o);
            });
            silo.Configure<Orleans.Serialization.ExceptionSerializationOptions>(StorageFaults.CarryOverGrainCalls);
            // Deactivation at shutdown is when destinations finish their sends (and Memory mode flushes); configuration over it.
            silo.Services.AddOptions<GrainCollectionOptions>()
                .Configure<IOptions<ShutdownOptions>>((o, shutdown) => o.DeactivationTimeout = shutdown.Value.GracePeriod)
                .Bind(config.GetSection("Orleans:GrainCollection"));
            silo.Configure<GrainDirectoryOptions>(o =>
            {
                // The directory cache keeps an entry per grain ever resolved, deactivated ones included; with a
                // hundred thousand mostly idle tenants that is most of an idle silo's heap, so bound it.
                o.CacheSize = 100_000;
                config.GetSection("Orleans:GrainDirectory").Bind(o);
            });
            if (options.Dashboard.Enabled)
            {
                silo.AddDashboard();
                if (!options.Dashboard.ProfileGrainCalls) DashboardProfiling.Remove(silo.Services);
            }
            if (!string.IsNullOrWhiteSpace(config["Broadcast:Telemetry:OtlpEndpoint"])) silo.AddActivityPropagation();
            ClusterTls.Configure(silo, config, builder.Environment, options, siloPort, gatewayPort);

            if (options.Clustering == ClusteringMode.Postgres)
            {
                var advertised = config.GetValue<string>("Orleans:AdvertisedIP");
                if (advertised is not null) silo.ConfigureEndpoints(IPAddress.Parse(advertised), siloPort, gatewayPort, listenOnAnyHostAddress: true);
                else silo.ConfigureEndpoints(siloPort, gatewayPort, listenOnAnyHostAddress: true);
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = Invariant;
                    o.ConnectionString = connectionString;
                });
            }
            else
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort);
            }

            silo.AddBroadcastGrains();
            // Ingest hands each owning silo its share of a request in one call (issue 18).
            silo.AddGrainService<IngestShareService>();
            services.AddSingleton<IngestShareClient>();
            services.AddSingleton<OwnerRouter>();
            if (options.Storage == StorageMode.Postgres) silo.AddBroadcastPostgresStorage(connectionString!);
            else silo.AddBroadcastMemoryStorage();
        });
    }
}
