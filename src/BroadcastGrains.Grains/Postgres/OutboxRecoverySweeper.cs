using BroadcastGrains.Destinations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>Bound from <c>Broadcast:Recovery</c>.</summary>
public sealed class RecoveryOptions
{
    /// <summary>
    /// How often every silo looks for destinations with stored events and wakes them, besides at start-up and
    /// whenever a silo of the cluster is declared dead. A safety net, so it can be slow: each sweep scans the
    /// outbox index.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Timers die with their silo. After a crash, the destinations that lived there have committed events and no
/// activation; this sweep finds every destination with outbox rows and wakes it, wherever Orleans places it.
/// It runs at start-up, as soon as membership declares a silo dead, and every <see cref="RecoveryOptions.SweepInterval"/>.
/// Waking an active destination costs one interleaved no-op call.
/// </summary>
public sealed partial class OutboxRecoverySweeper(
    PostgresOutboxStore store,
    IGrainFactory grains,
    IClusterMembershipService membership,
    IHostApplicationLifetime lifetime,
    IOptions<RecoveryOptions> options,
    ILogger<OutboxRecoverySweeper> logger) : BackgroundService
{
    private readonly SemaphoreSlim _sweeping = new(1, 1);

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

        var onDeath = SweepOnSiloDeathAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        do await SweepAsync(stoppingToken);
        while (await WaitAsync(timer, stoppingToken));
        await onDeath;
    }

    private async Task SweepOnSiloDeathAsync(CancellationToken stoppingToken)
    {
        var dead = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var newlyDead = false;
                foreach (var (silo, member) in snapshot.Members)
                {
                    if (member.Status == SiloStatus.Dead && dead.Add(silo)) newlyDead = true;
                }
                if (newlyDead) await SweepAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _sweeping.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            var keys = await store.DestinationsWithPendingAsync(stoppingToken);
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = stoppingToken },
                async (key, _) => await grains.GetGrain<IDestinationGrain>(key).Wake());
            if (keys.Count > 0) LogSwept(keys.Count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogSweepFailed(ex);
        }
        finally
        {
            _sweeping.Release();
        }
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
