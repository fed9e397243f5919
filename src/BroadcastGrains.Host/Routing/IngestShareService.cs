using BroadcastGrains.Host.Ingestion;
using BroadcastGrains.Ingestion;
using Orleans.Runtime;

namespace BroadcastGrains.Host.Routing;

/// <summary>
/// Runs <see cref="TraceIngest"/> for a share sent by another silo, so that this silo's own journal holds the share and
/// the destination calls it makes are local (the grains are placed on their workspace's owner).
/// </summary>
public sealed class IngestShareService(GrainId grainId, Silo silo, ILoggerFactory loggerFactory, TraceIngest ingest)
    : GrainService(grainId, silo, loggerFactory), IIngestShareService
{
    // Off the grain service's own scheduler, which runs one turn at a time: shares from every silo are ingested in
    // parallel on the thread pool, as requests that arrive over HTTP are.
    public Task<int> Ingest(byte[] body, DateTimeOffset receivedAt) => Task.Run(() => IngestAsync(body, receivedAt));

    private Task<int> IngestAsync(byte[] body, DateTimeOffset receivedAt)
    {
        var batch = TraceBatchParser.Parse(body, receivedAt);
        if (!batch.IsValid) throw new InvalidOperationException($"An ingest share did not parse: {batch.Errors[0].Field} {batch.Errors[0].Message}");
        return ingest.IngestAsync(batch.Records, body, receivedAt);
    }
}
