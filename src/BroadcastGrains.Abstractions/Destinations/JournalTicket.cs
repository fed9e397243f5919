namespace BroadcastGrains.Destinations;

/// <summary>
/// Says that the records handed to <see cref="IDestinationGrain.Enqueue"/> are already durable as one journal
/// entry (Postgres mode), written by the silo whose journal is <see cref="Journal"/>. A destination activated on
/// that same silo may then keep the events in memory under the entry instead of writing them to its outbox;
/// anywhere else the ticket is ignored.
/// Why a silo-local optimisation is part of the grain contract: the grain call is the only channel from the ingest
/// service to the activation that decides whether to write rows, and what the ticket says — "these records are
/// already durable, in that entry" — is what the destination needs for that decision (carried in RequestContext it
/// would only be hidden, not gone). It is a plain value with no count of its own: the ingest journal of the silo that
/// opened it (IngestJournal) owns its whole life — it opens the entry and counts every hold, the ingest service
/// (TraceIngest) holds the request's own reference from open to release, and a destination's window takes and gives
/// back one hold per event it keeps in memory.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JournalTicket([property: Id(0)] Guid Journal, [property: Id(1)] Guid Entry);
