using BroadcastGrains.Destinations;

namespace BroadcastGrains.Grains.Journal;

/// <summary>A journal row taken over from a dead silo, to be ingested again under <see cref="Ticket"/>.</summary>
public sealed record JournalEntry(JournalTicket Ticket, DateTimeOffset ReceivedAt, byte[] Body);
