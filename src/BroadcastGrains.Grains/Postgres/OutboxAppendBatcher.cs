using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Grains.Outbox;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>Group commit for outbox rows: appends from every destination grain on this silo share one COPY.</summary>
public sealed class OutboxAppendBatcher(NpgsqlDataSource dataSource, ILogger<OutboxAppendBatcher> logger, int writers = 2)
    : CopyGroupCommit<OutboxAppendBatcher.Append>(dataSource, logger, writers)
{
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

    protected override async Task WriteAsync(NpgsqlBinaryImporter copy, Append append)
    {
        foreach (var e in append.Events)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(append.DestinationKey, NpgsqlDbType.Text);
            await copy.WriteAsync(e.Seq, NpgsqlDbType.Bigint);
            await copy.WriteAsync(e.GenerationId, NpgsqlDbType.Text);
            await copy.WriteAsync(e.AcceptedAt, NpgsqlDbType.TimestampTz);
            await copy.WriteAsync(e.Payload, NpgsqlDbType.Bytea);
            await copy.WriteAsync(e.Attempts, NpgsqlDbType.Integer);
        }
    }

    protected override void OnCommitted(long rows, TimeSpan oldestWait)
    {
        BroadcastTelemetry.OutboxCommitWait.Record(oldestWait.TotalSeconds);
        BroadcastTelemetry.OutboxCommitRows.Record(rows);
    }

    public sealed record Append(string DestinationKey, IReadOnlyList<OutboxEvent> Events);
}
