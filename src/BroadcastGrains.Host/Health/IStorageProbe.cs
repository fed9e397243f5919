namespace BroadcastGrains.Host.Health;

/// <summary>Answers whether the configured storage can be reached right now.</summary>
public interface IStorageProbe
{
    Task<string?> CheckAsync(CancellationToken cancellationToken);
}

public sealed class MemoryStorageProbe : IStorageProbe
{
    public Task<string?> CheckAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
