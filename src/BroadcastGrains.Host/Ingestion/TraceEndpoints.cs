using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Host.ApiDocs;
using BroadcastGrains.Host.Auth;
using BroadcastGrains.Host.Operations;
using BroadcastGrains.Host.Http;
using BroadcastGrains.Ingestion;
using BroadcastGrains.Traces;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Postgres;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BroadcastGrains.Host.Ingestion;

public static class TraceEndpoints
{
    public static void MapTraceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/traces", Ingest)
            .RequireAuthorization(Scopes.Ingest)
            .WithTags("Ingestion")
            .WithName("IngestTraces")
            .WithSummary("Ingest one trace record or an array of them (at most 1000 records and 10 MB)")
            .Accepts<TraceRecordBody>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>
    /// Parse and validate everything first (any bad record: nothing is accepted), then hand each destination its
    /// workspace's records in one grain call. 202 only once every destination has stored its events; in Postgres
    /// mode the request is also committed as one journal row, which lets destinations on this silo keep their
    /// events in memory instead of one outbox row each.
    /// </summary>
    private static async Task<Results<Accepted<IngestResponse>, ProblemHttpResult>> Ingest(HttpContext context, TraceDispatcher dispatcher, TimeProvider clock, ShutdownCoordinator shutdown)
    {
        if (shutdown.Draining)
        {
            BroadcastTelemetry.TracesRejected.Add(1, BroadcastTelemetry.Reason("draining"));
            context.Response.Headers.RetryAfter = "5";
            return Problems.Unavailable("This silo is shutting down; send the traces to another one or retry shortly.");
        }
        using var body = await PooledBody.ReadAsync(context.Request, TraceLimits.MaxBodyBytes, context.RequestAborted);
        if (body.TooLarge)
        {
            BroadcastTelemetry.TracesRejected.Add(1, BroadcastTelemetry.Reason("too_large"));
            return Problems.TooLarge($"A request body may hold at most {TraceLimits.MaxBodyBytes / (1024 * 1024)} MB.");
        }

        var receivedAt = clock.GetUtcNow();
        var batch = TraceBatchParser.Parse(body.Span, receivedAt);
        if (batch.TooManyRecords)
        {
            BroadcastTelemetry.TracesRejected.Add(1, BroadcastTelemetry.Reason("too_large"));
            return Problems.TooLarge($"A request may hold at most {TraceLimits.MaxRecordsPerRequest} records.");
        }
        if (!batch.IsValid)
        {
            BroadcastTelemetry.TracesRejected.Add(1, BroadcastTelemetry.Reason("invalid"));
            return Problems.Validation(batch.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }

        var records = batch.Records;
        int queued;
        try
        {
            queued = dispatcher.Journal is not { } journal || records.Count == 0
                ? await dispatcher.DispatchAsync(records, null)
                : await DispatchJournaledAsync(dispatcher, journal, records, receivedAt, body);
        }
        catch (Exception ex) when (StorageFaults.AsUnavailable(ex) is { } unavailable)
        {
            // Not committed, so not accepted: the client retries, and what destinations already hold from this
            // attempt goes out under the same uuids as the retry's events (PostHog deduplicates them).
            return Unavailable(context, unavailable);
        }
        BroadcastTelemetry.TracesReceived.Add(records.Count);
        return TypedResults.Accepted((string?)null, new IngestResponse(records.Count, queued));
    }

    /// <summary>503 + Retry-After for trouble of ours (storage down or slow, a queue or memory budget spent), counted by its reason.</summary>
    public static ProblemHttpResult Unavailable(HttpContext context, IngestUnavailableException unavailable)
    {
        BroadcastTelemetry.TracesRejected.Add(1, BroadcastTelemetry.Reason(unavailable.Reason));
        context.Response.Headers.RetryAfter = unavailable.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Unavailable(unavailable.Message, unavailable.Reason);
    }

    /// <summary>
    /// The journal row and the grain calls go out together; the 202 waits for both. The row holds the body as
    /// received only when every record's workspace has a destination that sends prompt text; otherwise a copy
    /// without that text and without the records no destination takes (CONTRACT §8.3).
    /// </summary>
    private static async Task<int> DispatchJournaledAsync(TraceDispatcher dispatcher, IngestJournal journal, List<TraceRecord> records, DateTimeOffset receivedAt, PooledBody body)
    {
        var plan = await dispatcher.PlanAsync(records);
        var keep = plan.JournalKeep(records);
        if (keep is null) return await DispatchJournaledAsync(dispatcher, journal, plan, receivedAt, body.Memory);
        using var copy = new PooledBufferWriter(body.Length + 64);
        JournalBody.Rewrite(body.Span, keep, copy, out var kept);
        // Not one record has a destination: nothing is queued, so there is nothing to journal.
        if (kept == 0) return await dispatcher.DispatchAsync(plan, null);
        return await DispatchJournaledAsync(dispatcher, journal, plan, receivedAt, copy.WrittenMemory);
    }

    private static async Task<int> DispatchJournaledAsync(TraceDispatcher dispatcher, IngestJournal journal, IngestPlan plan, DateTimeOffset receivedAt, ReadOnlyMemory<byte> body)
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
