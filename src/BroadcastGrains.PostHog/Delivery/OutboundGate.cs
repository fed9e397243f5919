namespace BroadcastGrains.PostHog.Delivery;

/// <summary>
/// The per-silo cap on concurrent /batch/ requests. Fairness comes from the destinations themselves: each one
/// sends single-flight, so a tenant holds at most one slot per destination however much it sends, and waiters
/// are admitted in arrival order.
/// </summary>
public sealed class OutboundGate(int maxConcurrentSends)
{
    private readonly SemaphoreSlim _slots = new(maxConcurrentSends, maxConcurrentSends);

    public int Available => _slots.CurrentCount;

    public async Task<T> RunAsync<T>(Func<Task<T>> send)
    {
        await _slots.WaitAsync().ConfigureAwait(false);
        try
        {
            return await send().ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }
}
