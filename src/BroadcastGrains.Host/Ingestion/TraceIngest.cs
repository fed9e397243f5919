using BroadcastGrains.Destinations;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Host.Ingestion;

/// <summary>
/// This silo's ingest: takes parsed records, hands each destination grain its workspace's records
/// (<see cref="TraceDispatcher"/>) and, in Postgres mode with the journal on, commits the request as one journal row
/// at the same time. It returns once everything is stored — the 202's promise — or throws: storage trouble
/// (<see cref="Grains.Postgres.StorageFaults.AsUnavailable"/> says which) means nothing of the call counts as
/// accepted, and the caller's retry brings it again.
/// It is the one place a request's <see cref="JournalTicket"/> is opened and released: the request holds its entry
/// from <see cref="IngestJournal.Open"/> until every destination has answered, so that the events destinations hold
/// under it cannot release the row early; a commit that fails abandons the entry instead. Nothing here knows HTTP, so
/// a silo can run it for records that another silo accepted.
/// </summary>
public sealed class TraceIngest(TraceDispatcher dispatcher, IngestJournal? journal)
{
    /// <summary>
    /// Stores <paramref name="records"/> for their destinations; returns how many deliveries were queued.
    /// <paramref name="body"/> is the JSON they were parsed from, as the journal keeps it: parsing it again must give
    /// exactly these records in this order (a silo that takes the row over does), and it must stay valid until the task
    /// completes.
    /// </summary>
    public async Task<int> IngestAsync(List<TraceRecord> records, ReadOnlyMemory<byte> body, DateTimeOffset receivedAt)
    {
        if (records.Count == 0) return 0;
        var plan = await dispatcher.PlanAsync(records);
        if (journal is null) return await dispatcher.DispatchAsync(plan, null);
        // The row holds the body as received only when every record's workspace has a destination that sends prompt
        // text; otherwise a copy without that text and without the records no destination takes (CONTRACT §8.3).
        var keep = plan.JournalKeep(records);
        if (keep is null) return await DispatchJournaledAsync(journal, plan, receivedAt, body);
        using var copy = new PooledBufferWriter(body.Length + 64);
        JournalBody.Rewrite(body.Span, keep, copy, out var kept);
        // Not one record has a destination: nothing is queued, so there is nothing to journal.
        if (kept == 0) return await dispatcher.DispatchAsync(plan, null);
        return await DispatchJournaledAsync(journal, plan, receivedAt, copy.WrittenMemory);
    }

    /// <summary>
    /// Ingests a journal row taken over from a departed silo again, under the fresh ticket the take-over opened (see
    /// <see cref="IngestJournal.TakeOverAsync"/>): released once every destination has answered, abandoned if one
    /// throws (then the row is given back or set aside, and what destinations hold from this attempt can never release
    /// a later attempt's holds).
    /// </summary>
    public async Task ReplayAsync(JournalEntry entry, List<TraceRecord> records)
    {
        if (journal is null) throw new InvalidOperationException("Journal rows are replayed only where the journal is on.");
        try
        {
            await dispatcher.DispatchAsync(await dispatcher.PlanAsync(records), entry.Ticket);
        }
        catch
        {
            journal.Abandon(entry.Ticket);
            throw;
        }
        journal.Release(entry.Ticket.Entry, 1);
    }

    /// <summary>The journal row and the grain calls go out together; the result waits for both.</summary>
    private async Task<int> DispatchJournaledAsync(IngestJournal journal, IngestPlan plan, DateTimeOffset receivedAt, ReadOnlyMemory<byte> body)
    {
        var ticket = journal.Open();
        Task commit;
        try
        {
            commit = journal.WriteAsync(ticket, receivedAt, body);
        }
        catch
        {
            journal.Abandon(ticket);
            throw;
        }
        var dispatch = dispatcher.DispatchAsync(plan, ticket);
        try
        {
            await commit;
        }
        catch
        {
            // Not committed, so not accepted: the client retries, and whatever the destinations already hold is
            // sent under the same uuids as the retry's events.
            journal.Abandon(ticket);
            try
            {
                await dispatch;
            }
            catch (Exception)
            {
                // The commit's failure is the one to report.
            }
            throw;
        }
        try
        {
            return await dispatch;
        }
        finally
        {
            journal.Release(ticket.Entry, 1);
        }
    }
}
