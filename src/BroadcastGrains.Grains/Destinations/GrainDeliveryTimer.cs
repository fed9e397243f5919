using BroadcastGrains.Grains.Delivery;

namespace BroadcastGrains.Grains.Destinations;

/// <summary>
/// A <see cref="DeliveryLoop"/>'s timer as an Orleans grain timer: one-shot, interleaving with the grain's calls (so
/// that a slow PostHog never holds up acceptance) and keeping the activation alive while scheduled. Stopping disposes
/// it, which cancels the token of a tick in flight.
/// </summary>
internal sealed class GrainDeliveryTimer(IGrainBase grain, Func<CancellationToken, Task> tick) : IDeliveryTimer
{
    private IGrainTimer? _timer;

    public void Schedule(TimeSpan due)
    {
        if (_timer is null)
        {
            _timer = grain.RegisterGrainTimer(tick, new GrainTimerCreationOptions
            {
                DueTime = due,
                Period = Timeout.InfiniteTimeSpan,
                Interleave = true,
                KeepAlive = true,
            });
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    public void Stop()
    {
        _timer?.Dispose();
        _timer = null;
    }
}
