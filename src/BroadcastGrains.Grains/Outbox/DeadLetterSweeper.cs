using BroadcastGrains.Grains.Delivery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Grains.Outbox;

/// <summary>
/// Dead letters are trimmed whenever their destination makes new ones, but a destination that stopped failing
/// (or went idle) makes none: every <see cref="DeliveryOptions.DeadLetterSweepInterval"/> this removes what is past
/// <see cref="DeliveryOptions.DeadLetterRetention"/> for every destination of the store, counted. So a dead letter
/// lives at most the retention plus one interval. In a cluster every silo sweeps; a row is removed (and counted)
/// by exactly one of them.
/// </summary>
public sealed partial class DeadLetterSweeper(
    IOutboxStore store,
    IOptions<DeliveryOptions> options,
    TimeProvider clock,
    ILogger<DeadLetterSweeper> logger) : BackgroundService
{
    /// <summary>Made with the service, not in ExecuteAsync (which .NET runs on a thread of its own), so the first period starts now.</summary>
    private readonly PeriodicTimer _timer = new(options.Value.DeadLetterSweepInterval, clock);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var dropped = await store.SweepDeadLettersAsync(stoppingToken);
                    if (dropped > 0) LogSwept(dropped);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSweepFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _timer.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead-letter sweep removed {Dropped} dead letters past their retention")]
    private partial void LogSwept(long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-letter sweep failed; trying again at the next interval")]
    private partial void LogSweepFailed(Exception ex);
}
