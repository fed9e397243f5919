using BroadcastGrains.Destinations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>Bound from <c>Broadcast:Recovery</c>.</summary>
public sealed class RecoveryOptions
{
    /// <summary>How often every silo looks for destinations with stored events and wakes them.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Timers die with their silo. After a crash, the destinations that lived there have committed events and no
/// activation; this sweep finds every destination with outbox rows and wakes it, wherever Orleans places it.
/// Waking an active destination costs one interleaved no-op call.
/// </summary>
public sealed partial class OutboxRecoverySweeper(
    PostgresOutboxStore store,
    IGrainFactory grains,
    IHostApplicationLifetime lifetime,
    IOptions<RecoveryOptions> options,
    ILogger<OutboxRecoverySweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The silo must be up before grains can be called.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        do
        {
            try
            {
                var keys = await store.DestinationsWithPendingAsync(stoppingToken);
                await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stoppingToken },
                    async (key, _) => await grains.GetGrain<IDestinationGrain>(key).Wake());
                if (keys.Count > 0) LogSwept(keys.Count);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogSweepFailed(ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken token)
    {
        try
        {
            return await timer.WaitForNextTickAsync(token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recovery sweep woke {Destinations} destinations with stored events")]
    private partial void LogSwept(int destinations);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovery sweep failed; will try again at the next interval")]
    private partial void LogSweepFailed(Exception ex);
}
