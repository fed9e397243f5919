using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Host.Ingestion;

/// <summary>
/// Takes over the ingest journal rows of silos that are gone (crashed, or this process's previous run) and
/// ingests their bodies again, exactly as when they were first accepted. Destinations that had delivered some of
/// those events send them again under the same uuid; nothing accepted is lost.
/// </summary>
/// <param name="unknownOwnerSettle">
/// How old a row of an owner that this silo's membership view does not know must be before it is taken over.
/// Zero for a single-silo (Localhost) deployment, where any other owner is a previous run; in a cluster a silo
/// that joined a moment ago may not be in this silo's view yet, and taking its rows would only duplicate events.
/// </param>
public sealed partial class JournalReplayStep(
    IngestJournal journal,
    TraceDispatcher dispatcher,
    IClusterMembershipService membership,
    TimeProvider clock,
    TimeSpan unknownOwnerSettle,
    ILogger<JournalReplayStep> logger) : IRecoveryStep
{
    private const int RowsPerTake = 16;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var members = membership.CurrentSnapshot.Members;
        var live = members.Where(m => m.Value.Status != SiloStatus.Dead).Select(m => m.Key.ToParsableString())
            .Append(journal.Owner).ToHashSet(StringComparer.Ordinal);
        var dead = members.Where(m => m.Value.Status == SiloStatus.Dead).Select(m => m.Key.ToParsableString()).ToList();
        var replayed = 0;
        var failed = false;
        while (!cancellationToken.IsCancellationRequested && !failed)
        {
            var taken = await journal.TakeOverAsync(live, dead, clock.GetUtcNow() - unknownOwnerSettle, RowsPerTake, cancellationToken);
            // One request after the other, so each destination gets its events in acceptance order again. After a
            // failure the rest go back too (a row replayed out of order would reorder its destinations' events), and
            // this sweep stops taking more: the next one retries.
            foreach (var entry in taken)
            {
                if (!failed && await ReplayAsync(entry)) replayed++;
                else
                {
                    failed = true;
                    await GiveBackAsync(entry);
                }
            }
            if (taken.Count < RowsPerTake) break;
        }
        if (replayed > 0) LogReplayed(replayed);
    }

    /// <summary>True when the row was ingested again (or is kept aside as unparsable); false when it must go back.</summary>
    private async Task<bool> ReplayAsync(JournalEntry entry)
    {
        var batch = TraceBatchParser.Parse(entry.Body, entry.ReceivedAt);
        if (!batch.IsValid || batch.TooManyRecords)
        {
            // It was valid when accepted; a parser that changed since must not make it vanish silently. Its hold is
            // never released, so the row stays (owned by this silo) for inspection.
            LogUnparsable(entry.Row);
            return true;
        }
        try
        {
            await dispatcher.DispatchAsync(batch.Records, entry.Ticket);
            journal.Release(entry.Ticket.Entry, 1);
            return true;
        }
        catch (Exception ex)
        {
            LogReplayFailed(ex, entry.Row);
            return false;
        }
    }

    /// <summary>
    /// The row stays and goes back to the pool for a later sweep, here or elsewhere. Events that destinations hold
    /// from this attempt keep their hold key, which is forgotten here, so they can never release a later attempt's.
    /// </summary>
    private async Task GiveBackAsync(JournalEntry entry)
    {
        journal.Abandon(entry.Ticket);
        try
        {
            await journal.GiveBackAsync(entry.Row);
        }
        catch (Exception ex)
        {
            // Still owned by this silo: taken over again once this silo is gone.
            LogGiveBackFailed(ex, entry.Row);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingested {Requests} journaled requests again that a departed silo had accepted")]
    private partial void LogReplayed(int requests);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal row {Entry} no longer parses; it is kept in broadcast_ingest_journal for inspection")]
    private partial void LogUnparsable(Guid entry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingesting journal row {Entry} again failed; the next sweep retries it")]
    private partial void LogReplayFailed(Exception ex, Guid entry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handing journal row {Entry} back failed; it is taken over again once this silo is gone")]
    private partial void LogGiveBackFailed(Exception ex, Guid entry);
}
