using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Host.Auth;
using BroadcastGrains.Host.Operations;
using BroadcastGrains.Host.Http;
using BroadcastGrains.Traces;
using BroadcastGrains.Destinations;

namespace BroadcastGrains.Host.Ingestion;

public static class TraceEndpoints
{
    public static void MapTraceEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/traces", Ingest)
            .RequireAuthorization(Scopes.Ingest)
            .WithTags("Ingestion");
    }

    /// <summary>
    /// Parse and validate everything first (any bad record: nothing is accepted), then hand each destination its
    /// workspace's records in one grain call. 202 only once every destination has stored its events.
    /// </summary>
    private static async Task<IResult> Ingest(HttpContext context, WorkspaceRoutes routes, TimeProvider clock, ShutdownCoordinator shutdown)
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

        var batch = TraceBatchParser.Parse(body.Span, clock.GetUtcNow());
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
        if (records.Count == 0) queued = 0;
        else if (AllSameWorkspace(records))
            queued = await IngestWorkspaceAsync(routes, records[0].WorkspaceId, records);
        else
        {
            var byWorkspace = new Dictionary<string, List<TraceRecord>>(StringComparer.Ordinal);
            foreach (var record in records)
            {
                if (!byWorkspace.TryGetValue(record.WorkspaceId, out var list))
                    byWorkspace[record.WorkspaceId] = list = new List<TraceRecord>();
                list.Add(record);
            }
            var calls = new Task<int>[byWorkspace.Count];
            var i = 0;
            foreach (var (workspace, list) in byWorkspace) calls[i++] = IngestWorkspaceAsync(routes, workspace, list);
            queued = 0;
            foreach (var n in await Task.WhenAll(calls)) queued += n;
        }
        BroadcastTelemetry.TracesReceived.Add(records.Count);
        return Results.Json(new IngestResponse(records.Count, queued), ApiJsonContext.Default.IngestResponse, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>One workspace's records to each of its destinations concurrently; returns deliveries queued.</summary>
    private static async Task<int> IngestWorkspaceAsync(WorkspaceRoutes routes, string workspaceId, IReadOnlyList<TraceRecord> records)
    {
        var destinations = await routes.GetAsync(workspaceId);
        if (destinations.Length == 0) return 0;
        using var activity = BroadcastTelemetry.Source.StartActivity("workspace.ingest");
        activity?.SetTag("broadcast.workspace_id", workspaceId);
        activity?.SetTag("broadcast.records", records.Count);
        if (destinations.Length == 1) return (await destinations[0].Enqueue(records)).Queued;

        var pending = new Task<EnqueueResult>[destinations.Length];
        for (var i = 0; i < destinations.Length; i++) pending[i] = destinations[i].Enqueue(records);
        var queued = 0;
        foreach (var r in await Task.WhenAll(pending)) queued += r.Queued;
        return queued;
    }

    private static bool AllSameWorkspace(List<TraceRecord> records)
    {
        var first = records[0].WorkspaceId;
        foreach (var r in records)
        {
            if (!string.Equals(r.WorkspaceId, first, StringComparison.Ordinal)) return false;
        }
        return true;
    }
}
