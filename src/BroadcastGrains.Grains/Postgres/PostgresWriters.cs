using BroadcastGrains.Grains.Journal;
using Microsoft.Extensions.DependencyInjection;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// Starts the silo's PostgreSQL writers (outbox appends and deletes, journal rows and the deletes of finished ones)
/// with the silo, before any grain can activate, rather than in their constructors. They stop when the container
/// disposes them, after the host has stopped every service: a destination deactivating at shutdown still writes.
/// </summary>
public sealed class PostgresWriters(IServiceProvider services) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresWriters), ServiceLifecycleStage.RuntimeInitialize, StartAsync, _ => Task.CompletedTask);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<OutboxAppendBatcher>().Start();
        services.GetRequiredService<OutboxDeleteBatcher>().Start();
        services.GetRequiredService<JournalWriter>().Start();
        services.GetRequiredService<IngestJournal>().Start();
        return Task.CompletedTask;
    }
}
