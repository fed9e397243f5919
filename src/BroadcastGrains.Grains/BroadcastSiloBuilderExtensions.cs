using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Placement;
using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.PostHog.Delivery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Hosting;

namespace BroadcastGrains.Grains;

/// <summary>
/// The grains' layer of a silo, in the manner of Orleans' own <c>Add…</c> provider methods: what every destination
/// grain needs (<see cref="AddBroadcastGrains"/>), then exactly one storage for grain state and the event outbox.
/// Each options section is bound here and validated when the host starts, naming the key of a bad value.
/// </summary>
public static class BroadcastSiloBuilderExtensions
{
    private const string Invariant = "Npgsql";

    /// <summary>
    /// Delivery options, the silo's send lanes, backlog gauge, payload pool and memory budget, and the dead-letter
    /// sweep. Needs the PostHog layer (<c>AddBroadcastPostHog</c>) in the same container.
    /// </summary>
    public static ISiloBuilder AddBroadcastGrains(this ISiloBuilder silo)
    {
        var services = silo.Services;
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeliveryOptions>, DeliveryOptionsValidator>());
        services.AddOptions<MemoryBudgetOptions>().BindConfiguration(MemoryBudgetOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BacklogRegistry>();
        services.TryAddSingleton(sp => new OutboundGate(sp.GetRequiredService<IOptions<DeliveryOptions>>().Value.SendLanes(), sp.GetRequiredService<TimeProvider>()));
        // TryAdd: a test host may bring its own (one that poisons returned blocks).
        services.TryAddSingleton(_ => new PayloadPool());
        // One per silo: Memory storage refuses appends past it, Postgres storage keeps its windows within it.
        services.TryAddSingleton(sp => new MemoryBudget(
            sp.GetRequiredService<IOptions<MemoryBudgetOptions>>().Value.MaxBufferedBytes ?? MemoryBudget.DefaultMaxBytes(durableStorage: false),
            reportMetrics: true));
        services.AddHostedService<DeadLetterSweeper>();
        // A workspace's grains live on the silo that owns the workspace (issue 18), which ingest routes by.
        services.AddPlacementDirector<WorkspaceOwnerPlacement, WorkspaceOwnerPlacementDirector>();
        services.TryAddSingleton<WorkspaceOwners>();
        return silo;
    }

    /// <summary>The embedded default: grain state and the outbox in this process only.</summary>
    public static ISiloBuilder AddBroadcastMemoryStorage(this ISiloBuilder silo)
    {
        silo.AddMemoryGrainStorage(BroadcastStorage.Name);
        silo.Services.TryAddSingleton<IOutboxStore, MemoryOutboxStore>();
        return silo;
    }

    /// <summary>
    /// The one <see cref="NpgsqlDataSource"/> of the process (db/*.sql, the outbox, the journal, the key ring), made by
    /// the container so that the container disposes it.
    /// </summary>
    public static IServiceCollection AddBroadcastPostgres(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        return services;
    }

    /// <summary>
    /// Grain state in AdoNet storage and the outbox in PostgreSQL (db/*.sql): group commits for outbox rows and the
    /// ingest journal, batched deletes, and the recovery sweep. Recovery steps run in registration order: a host
    /// that takes over journal rows registers its step before calling this, so rows are replayed before
    /// destinations with stored events are woken.
    /// </summary>
    public static ISiloBuilder AddBroadcastPostgresStorage(this ISiloBuilder silo, string connectionString)
    {
        var services = silo.Services;
        services.AddBroadcastPostgres(connectionString);
        silo.AddAdoNetGrainStorage(BroadcastStorage.Name, o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        silo.UseSystemTextJsonGrainStorageSerializer();

        services.AddOptions<GroupCommitOptions>().BindConfiguration(GroupCommitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<JournalOptions>().BindConfiguration(JournalOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RecoveryOptions>().BindConfiguration(RecoveryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Events beyond a small window are simply read back from their rows, so the budget's default is smaller here.
        services.AddOptions<MemoryBudgetOptions>().PostConfigure(o => o.MaxBufferedBytes ??= MemoryBudget.DefaultMaxBytes(durableStorage: true));

        services.AddSingleton(sp => new OutboxAppendBatcher(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILogger<OutboxAppendBatcher>>(),
            sp.GetRequiredService<IOptions<GroupCommitOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new OutboxDeleteBatcher(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILogger<OutboxDeleteBatcher>>()));
        services.AddSingleton(sp => new JournalWriter(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILogger<JournalWriter>>(),
            sp.GetRequiredService<IOptions<GroupCommitOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<JournalOptions>>().Value.Writers));
        services.AddSingleton(sp => new IngestJournal(
            sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<JournalWriter>(),
            sp.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString(),
            sp.GetRequiredService<ILogger<IngestJournal>>()));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PostgresWriters>();
        services.AddSingleton<IRecoveryStep, OutboxWakeStep>();
        services.AddSingleton<PostgresOutboxRepository>();
        services.AddSingleton<IOutboxStore, PostgresOutboxStore>();
        // With the silo's own services, so it starts once grains can be called.
        services.AddHostedService<RecoverySweeper>();
        return silo;
    }
}
