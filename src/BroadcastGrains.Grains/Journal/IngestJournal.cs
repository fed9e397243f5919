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
/// has answered, so the count cannot reach zero early.
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
    private readonly Task _deleteLoop;

    public IngestJournal(NpgsqlDataSource dataSource, JournalWriter writer, string owner, ILogger<IngestJournal> logger)
    {
        _dataSource = dataSource;
        _writer = writer;
        _logger = logger;
        Owner = owner;
        _deleteLoop = Task.Run(DeleteLoopAsync);
    }

    /// <summary>Identifies this process's journal in tickets: a destination on another silo cannot hold its rows.</summary>
    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>The silo address (with generation) written into this silo's rows.</summary>
    public string Owner { get; }

    /// <summary>Entries with holds (tests and metrics).</summary>
    public int OpenEntries => _entries.Count;

    public bool IsLocal(JournalTicket? ticket) => ticket is not null && ticket.Journal == Id;

    /// <summary>A new entry, held once by the caller until it calls <see cref="Release"/>.</summary>
    public JournalTicket Open()
    {
        var ticket = new JournalTicket(Id, Guid.CreateVersion7());
        _entries[ticket.Entry] = new Holds(1);
        return ticket;
    }

    /// <summary>Commits the entry's row (group commit); the body must stay valid until the task completes.</summary>
    public Task WriteAsync(JournalTicket ticket, DateTimeOffset receivedAt, ReadOnlyMemory<byte> body) =>
        _writer.WriteAsync(ticket.Entry, Owner, receivedAt, body);

    /// <summary>False when the entry is not open here (abandoned): the caller must store the events itself.</summary>
    public bool TryHold(Guid entry, int count)
    {
        if (!_entries.TryGetValue(entry, out var holds)) return false;
        Interlocked.Add(ref holds.Count, count);
        return true;
    }

    public void Release(Guid entry, int count)
    {
        // An abandoned entry (its commit failed) is gone already; its events were never promised to anyone.
        if (!_entries.TryGetValue(entry, out var holds)) return;
        if (Interlocked.Add(ref holds.Count, -count) == 0 && _entries.TryRemove(entry, out _)) _finished.Enqueue(entry);
    }

    /// <summary>The row was never committed: forget the entry without deleting anything.</summary>
    public void Abandon(JournalTicket ticket) => _entries.TryRemove(ticket.Entry, out _);

    /// <summary>
    /// Takes over rows whose owner is not among <paramref name="liveOwners"/> and that were created before
    /// <paramref name="createdBefore"/>, at most <paramref name="limit"/> at a time; each comes back open with one hold.
    /// SKIP LOCKED lets silos that sweep together share the work instead of replaying the same rows.
    /// </summary>
    public async Task<IReadOnlyList<JournalEntry>> TakeOverAsync(IReadOnlyCollection<string> liveOwners, DateTimeOffset createdBefore, int limit, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand("""
            UPDATE broadcast_ingest_journal j SET owner = $1
            FROM (SELECT id FROM broadcast_ingest_journal
                  WHERE owner <> ALL($2) AND created_at < $3
                  ORDER BY created_at, received_at LIMIT $4 FOR UPDATE SKIP LOCKED) taken
            WHERE j.id = taken.id
            RETURNING j.id, j.received_at, j.body
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Owner });
        command.Parameters.Add(new NpgsqlParameter { Value = liveOwners.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = createdBefore });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var taken = new List<JournalEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var ticket = new JournalTicket(Id, reader.GetGuid(0));
            _entries[ticket.Entry] = new Holds(1);
            taken.Add(new JournalEntry(ticket, reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<byte[]>(2)));
        }
        // RETURNING keeps no order: acceptance order is what replay must follow.
        taken.Sort((a, b) => a.ReceivedAt.CompareTo(b.ReceivedAt));
        return taken;
    }

    /// <summary>Hands a row back for another sweep to take over (its ingest failed here).</summary>
    public async Task GiveBackAsync(Guid entry)
    {
        await using var command = _dataSource.CreateCommand("UPDATE broadcast_ingest_journal SET owner = '' WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = entry });
        await command.ExecuteNonQueryAsync();
    }

    private async Task DeleteLoopAsync()
    {
        using var timer = new PeriodicTimer(DeleteEvery);
        var ids = new List<Guid>();
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token)) await DeleteFinishedAsync(ids);
        }
        catch (OperationCanceledException)
        {
        }
        await DeleteFinishedAsync(ids);
    }

    private async Task DeleteFinishedAsync(List<Guid> ids)
    {
        ids.Clear();
        while (ids.Count < 10_000 && _finished.TryDequeue(out var id)) ids.Add(id);
        if (ids.Count == 0) return;
        try
        {
            await using var command = _dataSource.CreateCommand("DELETE FROM broadcast_ingest_journal WHERE id = ANY($1)");
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids.ToArray() });
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception ex)
        {
            // The rows stay; once this silo is gone they are ingested again: duplicates under the same uuid, no loss.
            LogDeleteFailed(ex, ids.Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await _deleteLoop;
        _stopping.Dispose();
    }

    private sealed class Holds(int count)
    {
        public int Count = count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting {Rows} finished ingest journal rows failed; they will be ingested again once this silo is gone")]
    private partial void LogDeleteFailed(Exception ex, int rows);
}
