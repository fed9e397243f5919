using BroadcastGrains.Delivery;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// The outbox's statements (db/*.sql: broadcast_outbox, broadcast_dead_letters, broadcast_dead_letter_drops), one per
/// call and never one per event, and nothing kept between calls. Appends and delivered deletes do not go through here
/// but through the silo's group commits (<see cref="OutboxAppendBatcher"/>, <see cref="OutboxDeleteBatcher"/>).
/// Dead letters are trimmed to the cap and retention by the statement that makes them (and by the silo's periodic
/// sweep), oldest first, and what falls out is counted in broadcast_dead_letter_drops and the dropped metric.
/// </summary>
public sealed class PostgresOutboxRepository(NpgsqlDataSource dataSource, IOptions<DeliveryOptions> deliveryOptions, TimeProvider clock)
{
    /// <summary>Rows a retention sweep deletes per statement, so that a week's backlog of expiries is no single huge transaction.</summary>
    private const int SweepChunk = 10_000;

    private readonly DeliveryOptions _delivery = deliveryOptions.Value;

    /// <summary>What the tables hold for the destination (the caller flushes queued deletes first, or counts may include delivered rows).</summary>
    public async Task<OutboxSummary> SummarizeAsync(string destinationKey)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT (SELECT count(*) FROM broadcast_outbox WHERE destination_key = $1),
                   (SELECT coalesce(max(seq), 0) FROM broadcast_outbox WHERE destination_key = $1),
                   (SELECT min(accepted_at) FROM broadcast_outbox WHERE destination_key = $1),
                   (SELECT count(*) FROM broadcast_dead_letters WHERE destination_key = $1),
                   (SELECT coalesce(sum(cap + retention), 0)::bigint FROM broadcast_dead_letter_drops WHERE destination_key = $1)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = destinationKey });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new OutboxSummary(
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
            reader.GetInt64(3),
            reader.GetInt64(4));
    }

    public async Task<IReadOnlyList<OutboxEvent>> ReadHeadAsync(string destinationKey, int maxCount, long maxBytes)
    {
        // Sizes are summed over the head of the queue first, so payloads beyond the byte budget are never read.
        await using var command = dataSource.CreateCommand("""
            WITH head AS (
                SELECT seq, sum(octet_length(payload)) OVER (ORDER BY seq) AS running, row_number() OVER (ORDER BY seq) AS n
                FROM (SELECT seq, payload FROM broadcast_outbox WHERE destination_key = $1 ORDER BY seq LIMIT $2) first_rows
            )
            SELECT o.seq, o.generation_id, o.accepted_at, o.payload, o.attempts
            FROM head h JOIN broadcast_outbox o ON o.destination_key = $1 AND o.seq = h.seq
            WHERE h.running <= $3 OR h.n = 1
            ORDER BY o.seq
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = destinationKey });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxCount });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = maxBytes });
        var events = new List<OutboxEvent>(Math.Min(maxCount, 512));
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events.Add(new OutboxEvent(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetFieldValue<byte[]>(3),
                reader.GetInt32(4)));
        }
        return events;
    }

    public async Task MarkAttemptsAsync(string destinationKey, IReadOnlyList<long> seqs)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE broadcast_outbox SET attempts = attempts + 1 WHERE destination_key = $1 AND seq = ANY($2)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = destinationKey });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = seqs.ToArray() });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Inserts the dead letters, deletes their rows and trims the destination's dead letters, in one transaction.</summary>
    public async Task DeadLetterAsync(string destinationKey, IReadOnlyList<DeadLetterEntry> entries)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction);

        var insert = new NpgsqlBatchCommand("""
            INSERT INTO broadcast_dead_letters (destination_key, generation_id, reason, http_status, failed_at, attempts, payload)
            SELECT $1, g, r, s, f, a, p FROM unnest($2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::int[], $7::bytea[]) AS t(g, r, s, f, a, p)
            """);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = destinationKey });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = entries.Select(e => e.Event.GenerationId).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = entries.Select(e => e.Reason).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Status).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = entries.Select(e => e.FailedAt).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = entries.Select(e => e.Event.Attempts).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = entries.Select(e => e.Event.Payload.ToArray()).ToArray() });
        batch.BatchCommands.Add(insert);

        var delete = new NpgsqlBatchCommand("DELETE FROM broadcast_outbox WHERE destination_key = $1 AND seq = ANY($2)");
        delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = destinationKey });
        delete.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = entries.Select(e => e.Event.Seq).ToArray() });
        batch.BatchCommands.Add(delete);
        batch.BatchCommands.Add(TrimCommand(destinationKey));

        (long Cap, long Retention) dropped = default;
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            // Only the trim returns rows (one, its counts); the insert and delete before it return none.
            do
            {
                if (reader.FieldCount == 2 && await reader.ReadAsync()) dropped = (reader.GetInt64(0), reader.GetInt64(1));
            }
            while (await reader.NextResultAsync());
        }
        await transaction.CommitAsync();
        if (dropped.Cap > 0) BroadcastTelemetry.DeadLettersDropped.Add(dropped.Cap, BroadcastTelemetry.Reason("cap"));
        if (dropped.Retention > 0) BroadcastTelemetry.DeadLettersDropped.Add(dropped.Retention, BroadcastTelemetry.Reason("retention"));
    }

    /// <summary>
    /// One statement that keeps the destination's newest <see cref="DeliveryOptions.MaxDeadLetters"/> dead letters
    /// within the retention, deletes the rest and counts them by reason (a letter both expired and over the cap
    /// counts as retention). It ranks at most the cap plus the letters just made, via the (destination_key,
    /// failed_at) index; it runs once per dead-lettering call, never per event.
    /// </summary>
    private NpgsqlBatchCommand TrimCommand(string destinationKey)
    {
        var command = new NpgsqlBatchCommand("""
            WITH ranked AS (
                SELECT id, failed_at < $3 AS expired, row_number() OVER (ORDER BY failed_at DESC, id DESC) AS n
                FROM broadcast_dead_letters WHERE destination_key = $1
            ), gone AS (
                DELETE FROM broadcast_dead_letters d USING ranked r
                WHERE d.id = r.id AND (r.expired OR r.n > $2)
                RETURNING r.expired
            ), counted AS (
                SELECT count(*) FILTER (WHERE NOT expired) AS cap, count(*) FILTER (WHERE expired) AS retention FROM gone
            ), saved AS (
                INSERT INTO broadcast_dead_letter_drops AS t (destination_key, cap, retention)
                SELECT $1, cap, retention FROM counted WHERE cap + retention > 0
                ON CONFLICT (destination_key) DO UPDATE SET cap = t.cap + excluded.cap, retention = t.retention + excluded.retention
            )
            SELECT cap, retention FROM counted
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = destinationKey });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Math.Max(0, _delivery.MaxDeadLetters) });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = clock.GetUtcNow() - _delivery.DeadLetterRetention });
        return command;
    }

    public async Task<long> SweepDeadLettersAsync(CancellationToken cancellationToken)
    {
        // Every silo sweeps; a row deleted by one of them is not seen (nor counted) by another.
        var cutoff = clock.GetUtcNow() - _delivery.DeadLetterRetention;
        long total = 0;
        while (true)
        {
            await using var command = dataSource.CreateCommand("""
                WITH gone AS (
                    DELETE FROM broadcast_dead_letters
                    WHERE id IN (SELECT id FROM broadcast_dead_letters WHERE failed_at < $1 LIMIT $2)
                    RETURNING destination_key
                ), counted AS (
                    SELECT destination_key, count(*) AS n FROM gone GROUP BY destination_key
                ), saved AS (
                    INSERT INTO broadcast_dead_letter_drops AS t (destination_key, retention)
                    SELECT destination_key, n FROM counted
                    ON CONFLICT (destination_key) DO UPDATE SET retention = t.retention + excluded.retention
                )
                SELECT coalesce(sum(n), 0)::bigint FROM counted
                """);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = SweepChunk });
            var removed = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            total += removed;
            if (removed > 0) BroadcastTelemetry.DeadLettersDropped.Add(removed, BroadcastTelemetry.Reason("retention"));
            if (removed < SweepChunk) return total;
        }
    }

    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string destinationKey, int limit)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT generation_id, reason, http_status, failed_at, attempts FROM broadcast_dead_letters
            WHERE destination_key = $1 ORDER BY failed_at DESC, id DESC LIMIT $2
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = destinationKey });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var list = new List<DeadLetter>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add(new DeadLetter
            {
                GenerationId = reader.GetString(0),
                Reason = reader.GetString(1),
                Status = reader.IsDBNull(2) ? null : reader.GetInt32(2),
                FailedAt = reader.GetFieldValue<DateTimeOffset>(3),
                Attempts = reader.GetInt32(4),
            });
        }
        return list;
    }

    public async Task<ReplayResult> RequeueDeadLettersAsync(string destinationKey, long afterSeq, DateTimeOffset acceptedAt, int maxCount)
    {
        // Events that could not be mapped small enough carry no payload; replaying them cannot help, so they stay
        // and are not counted as remaining. The oldest (first made) go first; the main query sees the table as it
        // was before the move, hence the subtraction.
        await using var command = dataSource.CreateCommand("""
            WITH moved AS (
                DELETE FROM broadcast_dead_letters
                WHERE id IN (SELECT id FROM broadcast_dead_letters
                             WHERE destination_key = $1 AND octet_length(payload) > 0 ORDER BY id LIMIT $4)
                RETURNING id, generation_id, payload
            ), requeued AS (
                INSERT INTO broadcast_outbox (destination_key, seq, generation_id, accepted_at, payload, attempts)
                SELECT $1, $2 + row_number() OVER (ORDER BY id), generation_id, $3, payload, 0 FROM moved
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM requeued),
                   (SELECT count(*) FROM broadcast_dead_letters WHERE destination_key = $1 AND octet_length(payload) > 0)
                     - (SELECT count(*) FROM requeued)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = destinationKey });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = acceptedAt });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(0, maxCount) });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new ReplayResult { Replayed = (int)reader.GetInt64(0), Remaining = reader.GetInt64(1) };
    }

    public async Task<long> DiscardAllAsync(string destinationKey)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("DELETE FROM broadcast_outbox WHERE destination_key = $1") { Parameters = { new NpgsqlParameter<string> { TypedValue = destinationKey } } },
                new NpgsqlBatchCommand("DELETE FROM broadcast_dead_letters WHERE destination_key = $1") { Parameters = { new NpgsqlParameter<string> { TypedValue = destinationKey } } },
                new NpgsqlBatchCommand("DELETE FROM broadcast_dead_letter_drops WHERE destination_key = $1") { Parameters = { new NpgsqlParameter<string> { TypedValue = destinationKey } } },
            },
        };
        await batch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        return batch.BatchCommands[0].RecordsAffected;
    }

    /// <summary>Every destination that has events waiting, found with a loose index scan (one probe per key, not per row).</summary>
    public async Task<IReadOnlyList<string>> DestinationsWithPendingAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            WITH RECURSIVE keys AS (
                (SELECT destination_key FROM broadcast_outbox ORDER BY destination_key LIMIT 1)
                UNION ALL
                SELECT (SELECT o.destination_key FROM broadcast_outbox o
                        WHERE o.destination_key > keys.destination_key ORDER BY o.destination_key LIMIT 1)
                FROM keys WHERE keys.destination_key IS NOT NULL
            )
            SELECT destination_key FROM keys WHERE destination_key IS NOT NULL
            """);
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) keys.Add(reader.GetString(0));
        return keys;
    }
}
