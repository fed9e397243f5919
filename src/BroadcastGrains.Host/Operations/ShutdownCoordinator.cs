using Microsoft.Extensions.Options;

namespace BroadcastGrains.Host.Operations;

/// <summary>
/// The first thing to happen on SIGTERM (StoppingAsync runs before any service stops): stop taking traces.
/// The silo's own shutdown then deactivates every destination, which finishes its send in flight and, in
/// Memory mode, sends what it holds within the grace period.
/// </summary>
public sealed partial class ShutdownCoordinator(IOptions<ShutdownOptions> options, ILogger<ShutdownCoordinator> logger) : IHostedLifecycleService
{
    private volatile bool _draining;

    public bool Draining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        LogDraining(options.Value.DrainDelay, options.Value.GracePeriod);
        if (options.Value.DrainDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(options.Value.DrainDelay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // shutdown timeout: stop draining and go on
            }
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutting down: new traces get 503 for {DrainDelay}, then in-flight deliveries get {GracePeriod} to finish")]
    private partial void LogDraining(TimeSpan drainDelay, TimeSpan gracePeriod);
}
