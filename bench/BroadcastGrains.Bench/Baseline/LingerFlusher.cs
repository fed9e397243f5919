namespace BroadcastGrains.Bench.Baseline;

/// <summary>
/// Sends partial batches whose oldest event has waited out the linger. One periodic scan for all destinations
/// instead of a timer each: checking an empty destination is one unlocked read.
/// </summary>
public sealed class LingerFlusher : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    private readonly DestinationRegistry _registry;
    private readonly BatchSender _sender;
    private readonly long _lingerMs;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LingerFlusher(DestinationRegistry registry, BatchSender sender, TimeSpan linger)
    {
        _registry = registry;
        _sender = sender;
        _lingerMs = (long)linger.TotalMilliseconds;
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                foreach (var destination in _registry.Snapshot())
                {
                    if (destination.TakeIfOlderThan(now, _lingerMs) is { } batch)
                        await _sender.EnqueueAsync(batch, _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
