using System.Diagnostics;
using BroadcastGrains.Destinations;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Host.Ingestion;

/// <summary>Hands parsed records to their destination grains: one call per destination, all concurrently.</summary>
public sealed class TraceDispatcher(WorkspaceRoutes routes, IngestJournal? journal)
{
    /// <summary>This silo's ingest journal, when requests are journaled (Postgres mode, <c>Broadcast:Journal:Enabled</c>).</summary>
    public IngestJournal? Journal => journal;

    /// <summary>Returns once every destination has stored its events; the result is how many deliveries were queued.</summary>
    public async Task<int> DispatchAsync(List<TraceRecord> records, JournalTicket? ticket)
    {
        if (records.Count == 0) return 0;
        var started = Stopwatch.GetTimestamp();
        try
        {
            return AllSameWorkspace(records)
                ? await DispatchWorkspaceAsync(records[0].WorkspaceId, records, ticket)
                : await DispatchManyAsync(records, ticket);
        }
        finally
        {
            BroadcastTelemetry.IngestDispatch.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private async Task<int> DispatchManyAsync(List<TraceRecord> records, JournalTicket? ticket)
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
        foreach (var (workspace, list) in byWorkspace) calls[i++] = DispatchWorkspaceAsync(workspace, list, ticket);
        var queued = 0;
        foreach (var n in await Task.WhenAll(calls)) queued += n;
        return queued;
    }

    private async Task<int> DispatchWorkspaceAsync(string workspaceId, IReadOnlyList<TraceRecord> records, JournalTicket? ticket)
    {
        var destinations = await routes.GetAsync(workspaceId);
        if (destinations.Length == 0) return 0;
        using var activity = BroadcastTelemetry.Source.StartActivity("workspace.ingest");
        activity?.SetTag("broadcast.workspace_id", workspaceId);
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
