using BroadcastGrains.Grains.Postgres;
using Npgsql;

namespace BroadcastGrains.Host.Composition;

/// <summary>Applies db/*.sql at start-up (under the migrator's advisory lock) before the silo starts.</summary>
public sealed partial class SchemaMigrationService(NpgsqlDataSource dataSource, ILogger<SchemaMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = await SchemaMigrator.ApplyAsync(dataSource, cancellationToken);
        LogApplied(applied.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date ({Scripts} scripts applied idempotently)")]
    private partial void LogApplied(int scripts);
}
