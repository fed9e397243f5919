using System.Buffers;
using BroadcastGrains.Grains.Placement;
using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Host.Ingestion;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Host.Routing;

/// <summary>
/// Where an accepted request is ingested (issue 18). A workspace's grains live on the silo that owns it
/// (<see cref="WorkspaceOwnerPlacement"/>), so this splits the records by owner: this silo's share goes to its own
/// <see cref="TraceIngest"/>, every other owner's share to that silo's <see cref="IIngestShareService"/> in one call,
/// where its journal holds it and its destination calls are local. The 202 waits for every share, so it still means
/// committed. A share whose owner cannot be reached (it died, or left, mid-call) is ingested here instead: it is
/// never lost, and a share that the owner had in fact stored before the call failed goes out twice under the same
/// uuids (as after any retry), which PostHog deduplicates.
/// </summary>
public sealed class OwnerRouter(TraceIngest ingest, WorkspaceOwners owners, IngestShareClient shares, IngestOptions options, ILogger<OwnerRouter> logger)
{
    public async Task<int> IngestAsync(List<TraceRecord> records, ReadOnlyMemory<byte> body, DateTimeOffset receivedAt)
    {
        var view = owners.Current();
        if (records.Count == 0 || view.Silos.Length == 1 || !options.RouteByOwner) return await Local(records, body, receivedAt);

        var ownerOf = ArrayPool<int>.Shared.Rent(records.Count);
        try
        {
            var counts = new int[view.Silos.Length];
            string? lastWorkspace = null;
            var lastOwner = 0;
            for (var i = 0; i < records.Count; i++)
            {
                var ws = records[i].WorkspaceId;
                // Requests of one workspace (or runs of one) hash it once.
                if (!string.Equals(ws, lastWorkspace, StringComparison.Ordinal))
                {
                    lastWorkspace = ws;
                    lastOwner = view.OwnerIndex(ws);
                }
                ownerOf[i] = lastOwner;
                counts[lastOwner]++;
            }

            var only = -1;
            for (var owner = 0; owner < counts.Length; owner++)
            {
                if (counts[owner] == records.Count) only = owner;
            }
            if (only >= 0)
            {
                return only == view.Local
                    ? await Local(records, body, receivedAt)
                    : await Remote(view.Silos[only], body.ToArray(), records, receivedAt);
            }

            var shareBodies = ShareSplitter.Split(body.Span, ownerOf.AsSpan(0, records.Count), counts.Length);
            var calls = new List<Task<int>>(view.Silos.Length);
            for (var owner = 0; owner < counts.Length; owner++)
            {
                if (shareBodies[owner] is not { } share) continue;
                var shareRecords = RecordsOf(owner, ownerOf.AsSpan(0, records.Count), records, counts[owner]);
                calls.Add(owner == view.Local ? Local(shareRecords, share, receivedAt) : Remote(view.Silos[owner], share, shareRecords, receivedAt));
            }
            var queued = 0;
            foreach (var n in await Task.WhenAll(calls)) queued += n;
            return queued;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(ownerOf);
        }
    }

    private Task<int> Local(List<TraceRecord> records, ReadOnlyMemory<byte> body, DateTimeOffset receivedAt)
    {
        BroadcastTelemetry.IngestShares.Add(1, BroadcastTelemetry.Where("local"));
        return ingest.IngestAsync(records, body, receivedAt);
    }

    private async Task<int> Remote(SiloAddress owner, byte[] share, List<TraceRecord> records, DateTimeOffset receivedAt)
    {
        try
        {
            var queued = await shares.On(owner).Ingest(share, receivedAt);
            BroadcastTelemetry.IngestShares.Add(1, BroadcastTelemetry.Where("remote"));
            return queued;
        }
        catch (Exception ex) when (StorageFaults.AsUnavailable(ex) is null)
        {
            // The owner is gone or unreachable (or refused for a reason of its own): ingest the share here. Its grains
            // are placed by this silo's view, which the membership change will have reached by the time it is settled.
            logger.LogWarning("Ingest share of {Records} records for silo {Owner} failed ({Error}); ingesting it on this silo", records.Count, owner, ex.GetType().Name);
            BroadcastTelemetry.IngestShares.Add(1, BroadcastTelemetry.Where("fallback"));
            return await ingest.IngestAsync(records, share, receivedAt);
        }
    }

    /// <summary>One owner's records in request order: what its share's JSON parses to.</summary>
    private static List<TraceRecord> RecordsOf(int owner, ReadOnlySpan<int> ownerOf, List<TraceRecord> records, int count)
    {
        var mine = new List<TraceRecord>(count);
        for (var i = 0; i < ownerOf.Length; i++)
        {
            if (ownerOf[i] == owner) mine.Add(records[i]);
        }
        return mine;
    }
}
