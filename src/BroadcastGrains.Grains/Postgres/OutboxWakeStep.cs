using BroadcastGrains.Destinations;
using Microsoft.Extensions.Logging;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// Timers die with their silo. After a crash, the destinations that lived there have committed events and no
/// activation: this step finds every destination with outbox rows and wakes it, wherever Orleans places it.
/// Waking an active destination costs one interleaved no-op call.
/// </summary>
public sealed partial class OutboxWakeStep(PostgresOutboxRepository outbox, IGrainFactory grains, ILogger<OutboxWakeStep> logger) : IRecoveryStep
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var keys = await outbox.DestinationsWithPendingAsync(cancellationToken);
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (key, _) => await grains.GetGrain<IDestinationGrain>(key).Wake());
        if (keys.Count > 0) LogSwept(keys.Count);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recovery sweep woke {Destinations} destinations with stored events")]
    private partial void LogSwept(int destinations);
}
