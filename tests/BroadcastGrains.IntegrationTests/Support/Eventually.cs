namespace BroadcastGrains.IntegrationTests.Support;

public static class Eventually
{
    /// <summary>Polls until the condition holds or the deadline passes; the deadline is a failure, not a wait.</summary>
    public static async Task True(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }

    public static async Task<T> Value<T>(Func<Task<T>> probe, Func<T, bool> accept, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (accept(value)) return value;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Timed out waiting for: {what} (last: {value})");
            await Task.Delay(20);
        }
    }
}
