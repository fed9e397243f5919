namespace BroadcastGrains.Grains.Postgres;

/// <summary>One thing a silo does to pick up work that died with another silo (or with its own previous run).</summary>
public interface IRecoveryStep
{
    Task RunAsync(CancellationToken cancellationToken);
}
