using BroadcastGrains.Grains.Delivery;

namespace BroadcastGrains.Tests.Delivery.Loop;

/// <summary>A grain timer as the loop uses it: one schedule at a time, and stopping cancels the token of a run in flight.</summary>
internal sealed class FakeDeliveryTimer(TimeProvider clock) : IDeliveryTimer
{
    private CancellationTokenSource _token = new();

    /// <summary>When the timer fires next; null when it is not set.</summary>
    public DateTimeOffset? DueAt { get; set; }

    /// <summary>How long from now until it fires.</summary>
    public TimeSpan? Due => DueAt - clock.GetUtcNow();
    public int Stops { get; private set; }
    public CancellationToken Token => _token.Token;

    public void Schedule(TimeSpan due) => DueAt = clock.GetUtcNow() + due;

    public void Stop()
    {
        DueAt = null;
        Stops++;
        _token.Cancel();
        _token = new CancellationTokenSource();
    }
}
