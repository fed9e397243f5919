namespace BroadcastGrains.Destinations;

/// <summary>
/// Says that the records handed to <see cref="IDestinationGrain.Enqueue"/> are already durable as one journal
/// entry (Postgres mode), written by the silo whose journal is <see cref="Journal"/>. A destination activated on
/// that same silo may then keep the events in memory under the entry instead of writing them to its outbox;
/// anywhere else the ticket is ignored.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JournalTicket([property: Id(0)] Guid Journal, [property: Id(1)] Guid Entry);
