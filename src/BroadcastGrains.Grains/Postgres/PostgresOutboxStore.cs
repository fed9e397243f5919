using System.Collections.Concurrent;
using BroadcastGrains.Delivery;
using BroadcastGrains.Destinations;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Grains.Outbox;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// The durable outbox. Appends go through the silo's group commit and are also kept in a per-destination
/// in-memory window, so delivery reads no rows it just wrote; delivered rows are deleted in silo-wide batches.
/// Events whose request is committed in this silo's ingest journal are only held in the window (no row at all)
/// while delivery keeps up; they become rows when an attempt fails, the destination closes, they wait longer
/// than <see cref="JournalOptions.MaxHold"/> or the window would go incomplete. Everything else is one
/// statement per batch of events, never one per event.
/// The windows of all destinations on this silo share the silo's <see cref="MemoryBudget"/> (by default 256 MiB in
/// this mode): past it events are held no longer (they become rows), appended rows are not kept in the window, and
/// a window that ran dry reads back only one batch from the table instead of a refill. So memory stays within the
/// budget plus one batch per destination that is sending.
/// Dead letters are trimmed to the cap and retention by the statement that makes them (and by the silo's periodic
/// sweep), oldest first, and what falls out is counted in broadcast_dead_letter_drops.
/// </summary>
public sealed class PostgresOutboxStore(
    NpgsqlDataSource dataSource,
    OutboxAppendBatcher appends,
    OutboxDeleteBatcher deletes,
    IngestJournal journal,
    IOptions<JournalOptions> journalOptions,
    IOptions<DeliveryOptions> deliveryOptions,
    MemoryBudget budget,
    TimeProvider clock) : IOutboxStore
{
    /// <summary>Rows a retention sweep deletes per statement, so that a week's backlog of expiries is no single huge transaction.</summary>
    private const int SweepChunk = 10_000;
    private const int MaxWindowEvents = 20_000;
    private const int RefillEvents = 5_000;
    private const long RefillBytes = 32L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, OutboxQueue> _windows = new();
    private readonly DeliveryOptions _delivery = deliveryOptions.Value;

    public bool IsDurable => true;

    public async Task<OutboxSummary> OpenAsync(string destinationKey)
    {
        if (_windows.TryRemove(destinationKey, out var stale))
        {
            budget.Release(stale.Bytes);
            if (stale.Held > 0) await SpillStaleAsync(destinationKey, stale);
        }
        var summary = await SummarizeAsync(destinationKey);
        _windows[destinationKey] = new OutboxQueue { Complete = summary.Pending == 0 };
        return summary;
    }

    public async Task CloseAsync(string destinationKey)
    {
        // Held events must not outlive the activation that holds them: if this fails the window stays, so the
        // next activation retries, and the journal row stays until then (or until this silo is gone).
        if (_windows.TryGetValue(destinationKey, out var window) && window.Held > 0) await SpillAsync(destinationKey, window);
        Drop(destinationKey);
        await deletes.FlushAsync();
    }

    /// <summary>
    /// A window left by an activation whose close failed still holds events. The destination may have lived on
    /// another silo since and used their sequence numbers, so they become rows numbered after the table's.
    /// If that fails too, the window is put back for the next activation to try again.
    /// </summary>
    private async Task SpillStaleAsync(string destinationKey, OutboxQueue stale)
    {
        var held = stale.Events.Where(e => e.HeldBy != Guid.Empty).ToList();
        try
        {
            var maxSeq = (await SummarizeAsync(destinationKey)).MaxSeq;
            await appends.AppendAsync(destinationKey, held.Select(e => e with { Seq = ++maxSeq }).ToList());
        }
        catch
        {
            if (_windows.TryAdd(destinationKey, stale)) budget.Add(stale.Bytes);
            throw;
        }
        Release(held);
    }

    /// <summary>Forgets the window; any events it still holds are released, so only for a window spilled or discarded.</summary>
    private void Drop(string destinationKey)
    {
        if (!_windows.TryRemove(destinationKey, out var window)) return;
        budget.Release(window.Bytes);
        if (window.Held > 0) Release(window.Events.Where(e => e.HeldBy != Guid.Empty).ToList());
    }

    private OutboxQueue Window(string destinationKey) => _windows.GetOrAdd(destinationKey, static _ => new OutboxQueue());

    public async Task<OutboxSummary> SummarizeAsync(string destinationKey)
    {
        // Counts must not include rows whose delivery is booked but whose delete is still queued.
        await deletes.FlushAsync();
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
        var summary = new OutboxSummary(
            reader.GetInt64(0),
            reader.GetInt64(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
            reader.GetInt64(3),
            reader.GetInt64(4));
        if (!_windows.TryGetValue(destinationKey, out var window) || window.Held == 0) return summary;
        // Held events are pending too, though they have no row.
        long held = 0, maxSeq = summary.MaxSeq;
        var oldest = summary.OldestAcceptedAt;
        foreach (var e in window.Events)
        {
            if (e.HeldBy == Guid.Empty) continue;
            held++;
            maxSeq = Math.Max(maxSeq, e.Seq);
            if (oldest is null || e.AcceptedAt < oldest) oldest = e.AcceptedAt;
        }
        return summary with { Pending = summary.Pending + held, MaxSeq = maxSeq, OldestAcceptedAt = oldest };
    }

    public bool TryHold(string destinationKey, IReadOnlyList<OutboxEvent> events, JournalTicket ticket)
    {
        if (!journal.IsLocal(ticket)) return false;
        var window = Window(destinationKey);
        long bytes = 0;
        foreach (var e in events) bytes += e.Payload.Length;
        if (!window.Complete || window.Count + events.Count > MaxWindowEvents || !budget.TryReserve(bytes)) return false;
        if (!journal.TryHold(ticket.Entry, events.Count))
        {
            budget.Release(bytes);
            return false;
        }
        window.Appends++;
        foreach (var e in events)
        {
            e.HeldBy = ticket.Entry;
            window.Add(e);
        }
        return true;
    }

    /// <summary>
    /// Turns the window's held events into outbox rows and releases their journal holds. One spill at a time
    /// per window, so that no event is written twice.
    /// </summary>
    private async Task<List<OutboxEvent>> SpillAsync(string destinationKey, OutboxQueue window)
    {
        while (window.Spilling is { } running) await running;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        window.Spilling = done.Task;
        try
        {
            var held = window.Events.Where(e => e.HeldBy != Guid.Empty).ToList();
            if (held.Count == 0) return held;
            await appends.AppendAsync(destinationKey, held);
            // An event delivered or dead-lettered while its row was being written left the window then (and its
            // remover releases its hold): its new row goes again, and it is no longer this window's to count.
            var removedMeanwhile = held.Where(e => e.Removed).Select(e => e.Seq).ToList();
            if (removedMeanwhile.Count > 0)
            {
                deletes.Enqueue(destinationKey, removedMeanwhile);
                held = held.Where(e => !e.Removed).ToList();
            }
            window.Held -= held.Count;
            Release(held);
            return held;
        }
        finally
        {
            window.Spilling = null;
            done.TrySetResult();
        }
    }

    /// <summary>Gives the events' holds back to the journal (runs of one entry at a time) and marks them unheld.</summary>
    private void Release(List<OutboxEvent> events)
    {
        var i = 0;
        while (i < events.Count)
        {
            var entry = events[i].HeldBy;
            var n = 0;
            for (; i < events.Count && events[i].HeldBy == entry; i++, n++) events[i].HeldBy = Guid.Empty;
            if (entry != Guid.Empty) journal.Release(entry, n);
        }
    }

    public async Task AppendAsync(string destinationKey, IReadOnlyList<OutboxEvent> events)
    {
        await appends.AppendAsync(destinationKey, events);
        var window = Window(destinationKey);
        window.Appends++;
        long bytes = 0;
        foreach (var e in events) bytes += e.Payload.Length;
        if (window.Complete && window.Count + events.Count <= MaxWindowEvents && budget.TryReserve(bytes))
        {
            foreach (var e in events) window.Add(e);
        }
        else
        {
            // From here on the window is only the head of the table (even if the spill below fails: the rows just
            // appended are not in it), so everything in it must become a row.
            window.Complete = false;
            if (window.Held > 0) await SpillAsync(destinationKey, window);
        }
    }

    public async Task<IReadOnlyList<OutboxEvent>> PeekAsync(string destinationKey, int maxCount, long maxBytes)
    {
        var window = Window(destinationKey);
        if (window.Held > 0 && window.First is { } first && clock.GetUtcNow() - first.AcceptedAt > journalOptions.Value.MaxHold)
            await SpillAsync(destinationKey, window);
        if (window.Count == 0 && !window.Complete)
        {
            // The window ran dry but the table holds more: read the next stretch, after the queued deletes land.
            await deletes.FlushAsync();
            var appendsBefore = window.Appends;
            // A full refill only while the budget has room for it; otherwise just the batch asked for, which is in
            // memory for its send anyway (so a silo with many backlogged destinations stays near the budget).
            var roomy = budget.Available >= RefillBytes;
            var (readEvents, readBytes) = roomy ? (RefillEvents, RefillBytes) : (maxCount, maxBytes);
            var rows = await ReadHeadAsync(destinationKey, readEvents, readBytes);
            long bytes = 0;
            foreach (var e in rows)
            {
                window.Add(e);
                bytes += e.Payload.Length;
            }
            budget.Add(bytes);
            // Complete only if neither cap cut the read short and nothing was appended while it ran.
            window.Complete = rows.Count < readEvents && bytes + PostHog.PostHogLimits.MaxEventBytes <= readBytes
                && window.Appends == appendsBefore;
        }
        return window.Head(maxCount, maxBytes);
    }

    private async Task<IReadOnlyList<OutboxEvent>> ReadHeadAsync(string destinationKey, int maxCount, long maxBytes)
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

    public Task RemoveAsync(string destinationKey, IReadOnlyList<long> seqs)
    {
        List<OutboxEvent>? held = null;
        if (_windows.TryGetValue(destinationKey, out var window))
        {
            if (window.Held > 0) held = [];
            // A spill in flight may still be copying these payloads into rows: then they are left to the GC.
            budget.Release(window.Remove(seqs, held, recycle: window.Spilling is null));
        }
        if (held is not { Count: > 0 })
        {
            deletes.Enqueue(destinationKey, seqs);
            return Task.CompletedTask;
        }
        var heldSeqs = held.Select(e => e.Seq).ToHashSet();
        Release(held);
        var rows = seqs.Where(s => !heldSeqs.Contains(s)).ToList();
        if (rows.Count > 0) deletes.Enqueue(destinationKey, rows);
        return Task.CompletedTask;
    }

    public async Task MarkAttemptAsync(string destinationKey, IReadOnlyList<long> seqs)
    {
        if (_windows.TryGetValue(destinationKey, out var window))
        {
            window.MarkAttempt(seqs);
            // A destination that fails keeps its events as rows from now on (the backoff may be long).
            if (window.Held > 0)
            {
                var spilled = (await SpillAsync(destinationKey, window)).Select(e => e.Seq).ToHashSet();
                seqs = seqs.Where(s => !spilled.Contains(s)).ToList();
            }
            // Nor does it keep copies of its rows in memory while it waits: a thousand destinations backing off
            // would otherwise hold a window each. The next attempt reads its batch back from the table.
            if (window.Held == 0 && window.Spilling is null)
            {
                window.Complete = false;
                budget.Release(window.Clear());
            }
        }
        if (seqs.Count == 0) return;
        await using var command = dataSource.CreateCommand(
            "UPDATE broadcast_outbox SET attempts = attempts + 1 WHERE destination_key = $1 AND seq = ANY($2)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = destinationKey });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = seqs.ToArray() });
        await command.ExecuteNonQueryAsync();
    }

    public async Task DeadLetterAsync(string destinationKey, IReadOnlyList<DeadLetterEntry> entries)
    {
        if (entries.Count == 0) return;
        var held = new List<OutboxEvent>();
        if (_windows.TryGetValue(destinationKey, out var window))
            budget.Release(window.Remove(entries.Select(e => e.Event.Seq).ToList(), held));
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
        Release(held);
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
        // The requeued rows are not in the window: from now on it only covers part of the backlog.
        var window = Window(destinationKey);
        if (window.Held > 0) await SpillAsync(destinationKey, window);
        window.Complete = false;
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
        Drop(destinationKey);
        await deletes.FlushAsync();
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
