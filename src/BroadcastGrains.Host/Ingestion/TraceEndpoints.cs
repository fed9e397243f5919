using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Host.ApiDocs;
using BroadcastGrains.Host.Auth;
using BroadcastGrains.Host.Operations;
using BroadcastGrains.Host.Http;
using BroadcastGrains.Host.Routing;
using BroadcastGrains.Ingestion;
using BroadcastGrains.Traces;
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
    /// Parse and validate everything first (any bad record: nothing is accepted), then hand the records to the
    /// <see cref="Routing.OwnerRouter"/>, which has each owner silo's <see cref="TraceIngest"/> store its share; 202 only
    /// once every share is stored (committed, in Postgres mode).
    /// </summary>
    private static async Task<Results<Accepted<IngestResponse>, ProblemHttpResult>> Ingest(HttpContext context, OwnerRouter router, TimeProvider clock, ShutdownCoordinator shutdown)
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
            // Each workspace's share to the silo that owns it, this silo's own through its TraceIngest (issue 18).
            queued = await router.IngestAsync(records, body.Memory, receivedAt);
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
}
