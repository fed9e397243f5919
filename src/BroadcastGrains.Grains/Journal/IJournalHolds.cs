using BroadcastGrains.Destinations;

namespace BroadcastGrains.Grains.Journal;

/// <summary>
/// What a destination's window may do with this silo's ingest journal: take holds on an entry for the events it keeps
/// in memory, and give them back. Opening and forgetting entries is the journal's own business (<see cref="IngestJournal"/>).
/// </summary>
public interface IJournalHolds
{
    /// <summary>Whether the ticket's entry is in this silo's journal (a destination elsewhere cannot hold its row).</summary>
    bool IsLocal(JournalTicket? ticket);

    /// <summary>False when the entry is not open here (abandoned, or already on its way out): the caller stores the events itself.</summary>
    bool TryHold(Guid entry, int count);

    void Release(Guid entry, int count);
}
