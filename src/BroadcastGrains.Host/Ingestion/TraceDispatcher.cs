using System.Diagnostics;
using BroadcastGrains.Destinations;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Host.Ingestion;

/// <summary>
/// Hands parsed records to their destination grains: one call per destination, all concurrently. It passes a journal
/// ticket on but never opens or releases one: <see cref="TraceIngest"/> does.
/// </summary>
public sealed class TraceDispatcher(WorkspaceRoutes routes)
{

    /// <summary>Groups the records by workspace and resolves each workspace's route (from the cache, mostly without waiting).</summary>
    public async ValueTask<IngestPlan> PlanAsync(List<TraceRecord> records)
    {
        if (records.Count == 0) return new IngestPlan([]);
        if (AllSameWorkspace(records))
        {
            var workspace = records[0].WorkspaceId;
            return new IngestPlan([new IngestPlan.Group(workspace, records, await routes.GetRouteAsync(workspace))]);
        }
        var byWorkspace = new Dictionary<string, List<TraceRecord>>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (!byWorkspace.TryGetValue(record.WorkspaceId, out var list))
                byWorkspace[record.WorkspaceId] = list = new List<TraceRecord>();
            list.Add(record);
        }
        // Every lookup starts before any is awaited, so that cache misses are fetched concurrently.
        var lookups = new (string Workspace, List<TraceRecord> Records, ValueTask<IngestRoute> Route)[byWorkspace.Count];
        var i = 0;
        foreach (var (workspace, list) in byWorkspace) lookups[i++] = (workspace, list, routes.GetRouteAsync(workspace));
        var groups = new IngestPlan.Group[lookups.Length];
        for (i = 0; i < lookups.Length; i++) groups[i] = new IngestPlan.Group(lookups[i].Workspace, lookups[i].Records, await lookups[i].Route);
        return new IngestPlan(groups);
    }

    /// <summary>Returns once every destination has stored its events; the result is how many deliveries were queued.</summary>
    public async Task<int> DispatchAsync(IngestPlan plan, JournalTicket? ticket)
    {
        var groups = plan.Groups;
        if (groups.Count == 0) return 0;
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (groups.Count == 1) return await DispatchWorkspaceAsync(groups[0], ticket);
            var calls = new Task<int>[groups.Count];
            for (var i = 0; i < calls.Length; i++) calls[i] = DispatchWorkspaceAsync(groups[i], ticket);
            var queued = 0;
            foreach (var n in await Task.WhenAll(calls)) queued += n;
            return queued;
        }
        finally
        {
            BroadcastTelemetry.IngestDispatch.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private static async Task<int> DispatchWorkspaceAsync(IngestPlan.Group group, JournalTicket? ticket)
    {
        var destinations = group.Route.Destinations;
        if (destinations.Length == 0) return 0;
        var records = group.Records;
        using var activity = BroadcastTelemetry.Source.StartActivity("workspace.ingest");
        activity?.SetTag("broadcast.workspace_id", group.WorkspaceId);
        activity?.SetTag("broadcast.records", records.Count);
        if (destinations.Length == 1) return (await destinations[0].Enqueue(records, ticket)).Queued;

        var pending = new Task<EnqueueResult>[destinations.Length];
        for (var i = 0; i < destinations.Length; i++) pending[i] = destinations[i].Enqueue(records, ticket);
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
