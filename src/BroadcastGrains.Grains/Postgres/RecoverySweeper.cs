using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// Runs the recovery steps (ingest journal take-over, then waking destinations with stored events) at start-up,
/// as soon as membership declares a silo dead, and every <see cref="RecoveryOptions.SweepInterval"/>.
/// </summary>
public sealed partial class RecoverySweeper(
    IEnumerable<IRecoveryStep> steps,
    IClusterMembershipService membership,
    IHostApplicationLifetime lifetime,
    IOptions<RecoveryOptions> options,
    ILogger<RecoverySweeper> logger) : BackgroundService
{
    private readonly IRecoveryStep[] _steps = steps.ToArray();
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
            foreach (var step in _steps)
            {
                try
                {
                    await step.RunAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    LogStepFailed(ex, step.GetType().Name);
                }
            }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovery step {Step} failed; will try again at the next sweep")]
    private partial void LogStepFailed(Exception ex, string step);
}
