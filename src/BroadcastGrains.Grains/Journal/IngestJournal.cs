using System.Collections.Concurrent;
using BroadcastGrains.Destinations;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace BroadcastGrains.Grains.Journal;

/// <summary>
/// This silo's part of the ingest journal (Postgres mode, db/013): accepted requests are committed as one row
/// each, and the events that destinations on this silo keep in memory hold their row until each of them is
/// delivered, dead-lettered or moved into the outbox. A row nobody holds any more is deleted (batched).
/// Holds are counted per event; the request itself holds its row until it is committed and every destination
/// has answered, so the count cannot reach zero early. Holds are kept under the ticket's entry key, which is the
/// row id for a request accepted here and a fresh key for every take-over of a row: events still held from an
/// earlier, failed replay of the same row can then never release the holds of a later one.
/// This is the one type that owns a <see cref="JournalTicket"/>'s life: it opens entries (<see cref="Open"/>, and each
/// take-over), counts their holds and forgets them (<see cref="Release"/> to zero, or <see cref="Abandon"/>). Its
/// callers only take and give back holds: the ingest service the request's own, a destination's window one per event.
/// </summary>
public sealed partial class IngestJournal : IAsyncDisposable
{
    private static readonly TimeSpan DeleteEvery = TimeSpan.FromMilliseconds(20);

    private readonly NpgsqlDataSource _dataSource;
    private readonly JournalWriter _writer;
    private readonly ILogger<IngestJournal> _logger;
    private readonly ConcurrentDictionary<Guid, Holds> _entries = new();
    private readonly ConcurrentQueue<Guid> _finished = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _starting = new();
    private Task? _deleteLoop;

    public IngestJournal(NpgsqlDataSource dataSource, JournalWriter writer, string owner, ILogger<IngestJournal> logger)
    {
        _dataSource = dataSource;
        _writer = writer;
        _logger = logger;
        Owner = owner;
    }

    /// <summary>Starts deleting finished rows, once (the silo does, see <see cref="Postgres.PostgresWriters"/>).</summary>
    public void Start()
    {
        lock (_starting) _deleteLoop ??= Task.Run(DeleteLoopAsync);
    }

    /// <summary>Identifies this process's journal in tickets: a destination on another silo cannot hold its rows.</summary>
    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>The silo address (with generation) written into this silo's rows.</summary>
    public string Owner { get; }

    public bool IsLocal(JournalTicket? ticket) => ticket is not null && ticket.Journal == Id;

    /// <summary>A new entry, held once by the caller until it calls <see cref="Release"/>.</summary>
    public JournalTicket Open()
    {
        var ticket = new JournalTicket(Id, Guid.CreateVersion7());
        _entries[ticket.Entry] = new Holds(ticket.Entry);
        return ticket;
    }

    /// <summary>Commits the entry's row (group commit); the body must stay valid until the task completes.</summary>
    public Task WriteAsync(JournalTicket ticket, DateTimeOffset receivedAt, ReadOnlyMemory<byte> body) =>
        _writer.WriteAsync(ticket.Entry, Owner, receivedAt, body);

    /// <summary>False when the entry is not open here (abandoned): the caller must store the events itself.</summary>
    public bool TryHold(Guid entry, int count)
    {
        if (!_entries.TryGetValue(entry, out var holds)) return false;
        // Never revive a count that reached zero: its row is already on its way out.
        var current = Volatile.Read(ref holds.Count);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref holds.Count, current + count, current);
            if (seen == current) return true;
            current = seen;
        }
        return false;
    }

    public void Release(Guid entry, int count)
    {
        // An abandoned entry (its commit failed) is gone already; its events were never promised to anyone.
        if (!_entries.TryGetValue(entry, out var holds)) return;
        if (Interlocked.Add(ref holds.Count, -count) == 0 && _entries.TryRemove(entry, out _)) _finished.Enqueue(holds.Row);
    }

    /// <summary>The row was never committed: forget the entry without deleting anything.</summary>
    public void Abandon(JournalTicket ticket) => _entries.TryRemove(ticket.Entry, out _);

    /// <summary>
    /// Takes over rows whose owner is not among <paramref name="liveOwners"/>: at once when the owner is among
    /// <paramref name="deadOwners"/>, otherwise (an owner this silo does not know) only rows created before
    /// <paramref name="unknownCreatedBefore"/>. At most <paramref name="limit"/> at a time; each comes back open with
    /// one hold under a fresh key. SKIP LOCKED lets silos that sweep together share the work.
    /// </summary>
    public async Task<IReadOnlyList<JournalEntry>> TakeOverAsync(
        IReadOnlyCollection<string> liveOwners, IReadOnlyCollection<string> deadOwners, DateTimeOffset unknownCreatedBefore, int limit, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            UPDATE broadcast_ingest_journal j SET owner = $1
            FROM (SELECT id FROM broadcast_ingest_journal
                  WHERE owner <> ALL($2) AND owner <> $6 AND (owner = ANY($3) OR created_at < $4)
                  ORDER BY created_at, received_at LIMIT $5 FOR UPDATE SKIP LOCKED) taken
            WHERE j.id = taken.id
            RETURNING j.id, j.received_at, j.body
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Owner });
        command.Parameters.Add(new NpgsqlParameter { Value = liveOwners.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = deadOwners.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = unknownCreatedBefore });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = SetAsideOwner });
        var taken = new List<JournalEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var ticket = new JournalTicket(Id, Guid.CreateVersion7());
            var row = reader.GetGuid(0);
            _entries[ticket.Entry] = new Holds(row);
            taken.Add(new JournalEntry(ticket, row, reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<byte[]>(2)));
        }
        // RETURNING keeps no order: acceptance order is what replay must follow.
        taken.Sort((a, b) => a.ReceivedAt.CompareTo(b.ReceivedAt));
        return taken;
    }

    /// <summary>
    /// The owner of rows that cannot be ingested again (they no longer parse, or their ingest fails for a reason
    /// other than storage): no silo takes them over, so they never block the rows behind them, and they stay in
    /// the table for inspection. No silo address looks like it.
    /// </summary>
    public const string SetAsideOwner = "set-aside";

    /// <summary>Keeps a row that cannot be ingested out of every later take-over (see <see cref="SetAsideOwner"/>).</summary>
    public async Task SetAsideAsync(JournalEntry entry)
    {
        Abandon(entry.Ticket);
        await using var command = _dataSource.CreateCommand("UPDATE broadcast_ingest_journal SET owner = $3 WHERE id = $1 AND owner = $2");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = entry.Row });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Owner });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = SetAsideOwner });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Hands a row back for a later sweep to take over (its ingest failed here, or was not tried). Events that
    /// destinations hold from a failed attempt keep their hold key, which is forgotten here, so they can never release
    /// a later attempt's holds.
    /// </summary>
    public async Task GiveBackAsync(JournalEntry entry)
    {
        Abandon(entry.Ticket);
        await using var command = _dataSource.CreateCommand("UPDATE broadcast_ingest_journal SET owner = '' WHERE id = $1 AND owner = $2");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = entry.Row });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Owner });
        await command.ExecuteNonQueryAsync();
    }

    private async Task DeleteLoopAsync()
    {
        using var timer = new PeriodicTimer(DeleteEvery);
        var ids = new List<Guid>();
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                // After a failure, wait a little before trying again rather than every tick.
                if (!await DeleteFinishedAsync(ids)) await Task.Delay(TimeSpan.FromSeconds(1), _stopping.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        try
        {
            await DeleteFinishedAsync(ids);
        }
        catch (Exception)
        {
            // Logged inside; at shutdown the rows simply stay for the next run.
        }
    }

    private async Task<bool> DeleteFinishedAsync(List<Guid> ids)
    {
        ids.Clear();
        while (ids.Count < 10_000 && _finished.TryDequeue(out var id)) ids.Add(id);
        if (ids.Count == 0) return true;
        try
        {
            // Only rows still ours: a row another silo took over (it could not see this one alive) is its business now.
            await using var command = _dataSource.CreateCommand("DELETE FROM broadcast_ingest_journal WHERE id = ANY($1) AND owner = $2");
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids.ToArray() });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Owner });
            await command.ExecuteNonQueryAsync();
            return true;
        }
        catch (Exception ex)
        {
            // Kept for the next attempt; if this silo dies first they are ingested again: duplicates, no loss.
            LogDeleteFailed(ex, ids.Count);
            foreach (var id in ids) _finished.Enqueue(id);
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        // Never started: the loop then only deletes what finished, once, and ends.
        Start();
        await _deleteLoop!;
        _stopping.Dispose();
    }

    /// <summary>One hold for its opener to begin with; <see cref="Row"/> is the journal row the holds keep.</summary>
    private sealed class Holds(Guid row)
    {
        public int Count = 1;
        public Guid Row { get; } = row;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting {Rows} finished ingest journal rows failed; retrying (if this silo goes away first, they are ingested again)")]
    private partial void LogDeleteFailed(Exception ex, int rows);
}
