using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Host.Ingestion;

/// <summary>
/// Takes over the ingest journal rows of silos that are gone (crashed, or this process's previous run) and
/// ingests their bodies again, exactly as when they were first accepted. Destinations that had delivered some of
/// those events send them again under the same uuid; nothing accepted is lost.
/// </summary>
public sealed partial class JournalReplayStep(
    IngestJournal journal,
    TraceDispatcher dispatcher,
    IClusterMembershipService membership,
    TimeProvider clock,
    ILogger<JournalReplayStep> logger) : IRecoveryStep
{
    private const int RowsPerTake = 16;
    /// <summary>A silo that joined a moment ago may not be in this silo's view yet: leave its newest rows alone.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var live = membership.CurrentSnapshot.Members
            .Where(m => m.Value.Status != SiloStatus.Dead)
            .Select(m => m.Key.ToParsableString())
            .Append(journal.Owner)
            .ToHashSet(StringComparer.Ordinal);
        var replayed = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var taken = await journal.TakeOverAsync(live, clock.GetUtcNow() - Settle, RowsPerTake, cancellationToken);
            // One request after the other, so each destination gets its events in acceptance order again.
            foreach (var entry in taken) await ReplayAsync(entry);
            replayed += taken.Count;
            if (taken.Count < RowsPerTake) break;
        }
        if (replayed > 0) LogReplayed(replayed);
    }

    private async Task ReplayAsync(JournalEntry entry)
    {
        var batch = TraceBatchParser.Parse(entry.Body, entry.ReceivedAt);
        if (!batch.IsValid || batch.TooManyRecords)
        {
            // It was valid when accepted; a parser that changed since must not make it vanish silently.
            LogUnparsable(entry.Ticket.Entry);
            journal.Abandon(entry.Ticket);
            return;
        }
        try
        {
            await dispatcher.DispatchAsync(batch.Records, entry.Ticket);
            journal.Release(entry.Ticket.Entry, 1);
        }
        catch (Exception ex)
        {
            // The row stays and goes back to the pool, so that the next sweep (here or elsewhere) tries again.
            LogReplayFailed(ex, entry.Ticket.Entry);
            journal.Abandon(entry.Ticket);
            await journal.GiveBackAsync(entry.Ticket.Entry);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingested {Requests} journaled requests again that a departed silo had accepted")]
    private partial void LogReplayed(int requests);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal row {Entry} no longer parses; it is kept in broadcast_ingest_journal for inspection")]
    private partial void LogUnparsable(Guid entry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingesting journal row {Entry} again failed; the next sweep retries it")]
    private partial void LogReplayFailed(Exception ex, Guid entry);
}
