namespace BroadcastGrains.Grains.Outbox;

/// <summary>
/// Where accepted events and dead letters live, per destination key. A destination activation opens its own
/// <see cref="IDestinationOutbox"/> and owns it until it closes it; what is silo-wide stays here.
/// </summary>
public interface IOutboxStore
{
    /// <summary>
    /// Called when a destination activates on this silo: its outbox for this activation, and what is stored for it
    /// (the destination may have lived on another silo meanwhile, so nothing is taken from an earlier activation's
    /// memory but the events it could not store).
    /// </summary>
    Task<(IDestinationOutbox Outbox, OutboxSummary Stored)> OpenAsync(string destinationKey);

    /// <summary>Removes every destination's dead letters past the retention, counted; returns how many.</summary>
    Task<long> SweepDeadLettersAsync(CancellationToken cancellationToken);
}
