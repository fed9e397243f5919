using System.Diagnostics.Metrics;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.Ingestion;
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
    TraceIngest ingest,
    IClusterMembershipService membership,
    TimeProvider clock,
    TimeSpan unknownOwnerSettle,
    ILogger<JournalReplayStep> logger) : IRecoveryStep
{
    private const int RowsPerTake = 16;

    /// <summary>Rows that could not be ingested again and were set aside (CONTRACT §8.2: they never block the rows behind them).</summary>
    private static readonly Counter<long> SetAside = BroadcastTelemetry.Meter.CreateCounter<long>(
        "broadcast.journal.set_aside", "{request}", "Ingest journal rows that could not be ingested again and were kept aside for inspection.");

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
            // storage failure the rest go back too (a row replayed out of order would reorder its destinations'
            // events), and this sweep stops taking more: the next one retries. A row that cannot be ingested at
            // all is set aside instead, and the rows behind it go on.
            foreach (var entry in taken)
            {
                var outcome = failed ? Outcome.GiveBack : await ReplayAsync(entry);
                switch (outcome)
                {
                    case Outcome.Replayed:
                        replayed++;
                        break;
                    case Outcome.SetAside:
                        await SetAsideAsync(entry);
                        break;
                    default:
                        failed = true;
                        await GiveBackAsync(entry);
                        break;
                }
            }
            if (taken.Count < RowsPerTake) break;
        }
        if (replayed > 0) LogReplayed(replayed);
    }

    private enum Outcome { Replayed, SetAside, GiveBack }

    private async Task<Outcome> ReplayAsync(JournalEntry entry)
    {
        TraceBatch batch;
        try
        {
            batch = TraceBatchParser.Parse(entry.Body, entry.ReceivedAt);
        }
        catch (Exception ex)
        {
            // A parser that throws on this body throws on every sweep: before, that ended the sweep and left every
            // row taken with it unreplayed for as long as this silo lived.
            LogReplayImpossible(ex, entry.Row);
            return Outcome.SetAside;
        }
        if (!batch.IsValid || batch.TooManyRecords)
        {
            // It was valid when accepted; a parser that changed since must not make it vanish silently, nor hold up
            // the requests behind it. Which destinations it was for cannot be known without parsing it.
            LogUnparsable(entry.Row, batch.Errors.Count > 0 ? batch.Errors[0].Field : "body");
            return Outcome.SetAside;
        }
        try
        {
            // A record that does not map is dead-lettered `rejected` by its destination, so only storage trouble
            // and bugs of ours end up here.
            await ingest.ReplayAsync(entry, batch.Records);
            return Outcome.Replayed;
        }
        catch (Exception ex) when (!StorageFaults.IsDataError(ex) && StorageFaults.AsUnavailable(ex) is not null)
        {
            LogReplayFailed(ex, entry.Row);
            return Outcome.GiveBack;
        }
        catch (Exception ex)
        {
            // Trying again fails the same way, on every sweep, and would keep every row behind it waiting. What
            // destinations already hold from this attempt is still delivered (their holds are simply forgotten).
            LogReplayImpossible(ex, entry.Row);
            return Outcome.SetAside;
        }
    }

    private async Task SetAsideAsync(JournalEntry entry)
    {
        SetAside.Add(1);
        try
        {
            await journal.SetAsideAsync(entry);
        }
        catch (Exception ex)
        {
            // Still owned by this silo, so no other takes it over while it lives; the next owner decides again.
            LogSetAsideFailed(ex, entry.Row);
        }
    }

    /// <summary>The row stays and goes back to the pool for a later sweep, here or elsewhere.</summary>
    private async Task GiveBackAsync(JournalEntry entry)
    {
        try
        {
            await journal.GiveBackAsync(entry);
        }
        catch (Exception ex)
        {
            // Still owned by this silo: taken over again once this silo is gone.
            LogGiveBackFailed(ex, entry.Row);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingested {Requests} journaled requests again that a departed silo had accepted")]
    private partial void LogReplayed(int requests);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal row {Entry} no longer parses (first error at {Field}); it is set aside in broadcast_ingest_journal (owner 'set-aside') for inspection, and the rows behind it go on")]
    private partial void LogUnparsable(Guid entry, string field);

    [LoggerMessage(Level = LogLevel.Error, Message = "Journal row {Entry} cannot be ingested again; it is set aside in broadcast_ingest_journal (owner 'set-aside') for inspection, and the rows behind it go on")]
    private partial void LogReplayImpossible(Exception ex, Guid entry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Setting journal row {Entry} aside failed; it stays with this silo")]
    private partial void LogSetAsideFailed(Exception ex, Guid entry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingesting journal row {Entry} again failed; the next sweep retries it")]
    private partial void LogReplayFailed(Exception ex, Guid entry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handing journal row {Entry} back failed; it is taken over again once this silo is gone")]
    private partial void LogGiveBackFailed(Exception ex, Guid entry);
}
