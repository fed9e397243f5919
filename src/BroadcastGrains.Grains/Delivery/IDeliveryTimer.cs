namespace BroadcastGrains.Grains.Delivery;

/// <summary>
/// The one-shot timer a <see cref="DeliveryLoop"/> runs on: the grain's timer in the silo, a fake in tests. When it
/// fires, its owner calls <see cref="DeliveryLoop.RunAsync"/> with a token that is cancelled when the timer is stopped.
/// </summary>
public interface IDeliveryTimer
{
    /// <summary>Fires once after <paramref name="due"/>, replacing any earlier schedule; keeps the destination active.</summary>
    void Schedule(TimeSpan due);

    /// <summary>Fires no more; a run in flight sees its token cancelled. Lets an idle destination deactivate.</summary>
    void Stop();
}
