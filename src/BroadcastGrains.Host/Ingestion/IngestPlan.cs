using BroadcastGrains.Traces;
using Keep = BroadcastGrains.Host.Ingestion.JournalBody.Keep;

namespace BroadcastGrains.Host.Ingestion;

/// <summary>
/// One request's records grouped by workspace, each group with the route it goes by. Resolved once, so that what
/// the journal keeps of a record and where the record is dispatched are decided from the same route.
/// </summary>
public sealed class IngestPlan(IReadOnlyList<IngestPlan.Group> groups)
{
    public readonly record struct Group(string WorkspaceId, IReadOnlyList<TraceRecord> Records, IngestRoute Route);

    public IReadOnlyList<Group> Groups { get; } = groups;

    /// <summary>
    /// What the journal keeps of each record, in request order (CONTRACT §8.3); null when every record is kept whole,
    /// which is the body as received.
    /// </summary>
    public Keep[]? JournalKeep(List<TraceRecord> records)
    {
        var allWhole = true;
        foreach (var g in Groups) allWhole &= g.Route.StoresText;
        if (allWhole) return null;
        var keep = new Keep[records.Count];
        if (Groups.Count == 1)
        {
            keep.AsSpan().Fill(KeepOf(Groups[0].Route));
            return keep;
        }
        // One lookup per record: a request spread over many workspaces must not pay records × workspaces.
        var byWorkspace = new Dictionary<string, Keep>(Groups.Count, StringComparer.Ordinal);
        foreach (var g in Groups) byWorkspace[g.WorkspaceId] = KeepOf(g.Route);
        for (var i = 0; i < records.Count; i++) keep[i] = byWorkspace[records[i].WorkspaceId];
        return keep;
    }

    private static Keep KeepOf(IngestRoute route) =>
        route.Destinations.Length == 0 ? Keep.Nothing : route.StoresText ? Keep.Whole : Keep.WithoutText;
}
