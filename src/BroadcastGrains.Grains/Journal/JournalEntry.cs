using BroadcastGrains.Destinations;

namespace BroadcastGrains.Grains.Journal;

/// <summary>
/// A journal row taken over from a departed silo, to be ingested again under <see cref="Ticket"/> (whose entry key
/// is fresh for this take-over; <see cref="Row"/> is the row's id).
/// </summary>
public sealed record JournalEntry(JournalTicket Ticket, Guid Row, DateTimeOffset ReceivedAt, byte[] Body);
