using System.Collections.Concurrent;
using BroadcastGrains.Grains.Outbox;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// Held events of activations whose close could not write them as rows (storage down as they deactivated), by
/// destination key, until the destination's next activation on this silo writes them. Silo-wide because they outlive
/// the activation that held them: dropped, their journal holds would keep the journal row for as long as this silo
/// lives, and their events would wait that long. Thread-safe, since activations of different destinations open and
/// close concurrently; each key is touched by its own destination's activations only, one at a time.
/// </summary>
public sealed class StrandedHolds
{
    private readonly ConcurrentDictionary<string, List<OutboxEvent>> _byDestination = new();

    public void Keep(string destinationKey, List<OutboxEvent> held)
    {
        if (held.Count == 0) return;
        _byDestination.AddOrUpdate(destinationKey, held, (_, earlier) => [.. earlier, .. held]);
    }

    public bool TryTake(string destinationKey, out List<OutboxEvent> held) => _byDestination.TryRemove(destinationKey, out held!);
}
