using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Grains.Outbox;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>Group commit for outbox rows: appends from every destination grain on this silo share one COPY.</summary>
public sealed class OutboxAppendBatcher(NpgsqlDataSource dataSource, ILogger<OutboxAppendBatcher> logger, GroupCommitOptions options, TimeProvider clock, int writers = 2)
    : CopyGroupCommit<OutboxAppendBatcher.Append>(dataSource, logger, writers, options, clock)
{
    /// <summary>
    /// Throws <see cref="BroadcastGrains.Traces.IngestUnavailableException"/> when the commit queue is full; the task
    /// fails with it when the rows cannot be committed in time. It travels through the destination grain's call to
    /// the ingest endpoint, which answers 503.
    /// </summary>
    public Task AppendAsync(string destinationKey, IReadOnlyList<OutboxEvent> events) =>
        CommitAsync(new Append(destinationKey, events));

    protected override string CopyCommand =>
        "COPY broadcast_outbox (destination_key, seq, generation_id, accepted_at, payload, attempts) FROM STDIN (FORMAT BINARY)";

    protected override (int Rows, long Bytes) SizeOf(Append item)
    {
        long bytes = 0;
        foreach (var e in item.Events) bytes += e.Payload.Length;
        return (item.Events.Count, bytes);
    }

    protected override async Task WriteAsync(NpgsqlBinaryImporter copy, Append append, CancellationToken cancellationToken)
    {
        foreach (var e in append.Events)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(append.DestinationKey, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(e.Seq, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(e.GenerationId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(e.AcceptedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(e.Payload, NpgsqlDbType.Bytea, cancellationToken);
            await copy.WriteAsync(e.Attempts, NpgsqlDbType.Integer, cancellationToken);
        }
    }

    protected override void OnCommitted(long rows, TimeSpan oldestWait)
    {
        BroadcastTelemetry.OutboxCommitWait.Record(oldestWait.TotalSeconds);
        BroadcastTelemetry.OutboxCommitRows.Record(rows);
    }

    public sealed record Append(string DestinationKey, IReadOnlyList<OutboxEvent> Events);
}
