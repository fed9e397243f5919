using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Outbox;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// What every <see cref="OutboxWindow"/> of a silo shares: the silo's ingest journal (for holds), its memory budget,
/// its clock and the journal's <c>MaxHold</c>. Immutable, and one object, so that a window costs an idle activation a
/// few references rather than one per dependency.
/// </summary>
public sealed record OutboxWindowContext(IJournalHolds Journal, MemoryBudget Budget, TimeProvider Clock, TimeSpan MaxHold);
