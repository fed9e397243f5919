using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.Grains.Telemetry;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace BroadcastGrains.Grains.Journal;

/// <summary>Group commit for journal rows: the requests accepted on this silo meanwhile share one COPY.</summary>
public sealed class JournalWriter(NpgsqlDataSource dataSource, ILogger<JournalWriter> logger, GroupCommitOptions options, TimeProvider clock, int writers = 2)
    : CopyGroupCommit<JournalWriter.Row>(dataSource, logger, writers, options, clock)
{
    /// <summary>Throws <see cref="BroadcastGrains.Traces.IngestUnavailableException"/> when the commit queue is full; the task fails with it when the row cannot be committed in time.</summary>
    public Task WriteAsync(Guid id, string owner, DateTimeOffset receivedAt, ReadOnlyMemory<byte> body) =>
        CommitAsync(new Row(id, owner, receivedAt, body));

    protected override string CopyCommand =>
        "COPY broadcast_ingest_journal (id, owner, received_at, body) FROM STDIN (FORMAT BINARY)";

    protected override (int Rows, long Bytes) SizeOf(Row item) => (1, item.Body.Length);

    protected override async Task WriteAsync(NpgsqlBinaryImporter copy, Row row, CancellationToken cancellationToken)
    {
        await copy.StartRowAsync(cancellationToken);
        await copy.WriteAsync(row.Id, NpgsqlDbType.Uuid, cancellationToken);
        await copy.WriteAsync(row.Owner, NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(row.ReceivedAt, NpgsqlDbType.TimestampTz, cancellationToken);
        await copy.WriteAsync(row.Body, NpgsqlDbType.Bytea, cancellationToken);
    }

    protected override void OnCommitted(long rows, TimeSpan oldestWait) =>
        BroadcastTelemetry.JournalCommitWait.Record(oldestWait.TotalSeconds);

    public sealed record Row(Guid Id, string Owner, DateTimeOffset ReceivedAt, ReadOnlyMemory<byte> Body);
}
