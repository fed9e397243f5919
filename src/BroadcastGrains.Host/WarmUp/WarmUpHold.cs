namespace BroadcastGrains.Host.WarmUp;

/// <summary>
/// When registered, the warm-up does not finish before <see cref="Release"/>: lets a test observe the silo between
/// start and ready without racing a clock.
/// </summary>
public sealed class WarmUpHold
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Released => _released.Task;

    public void Release() => _released.TrySetResult();
}
