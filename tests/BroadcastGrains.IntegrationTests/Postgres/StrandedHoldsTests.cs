using System.Text;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>
/// A destination that deactivates while the database is down cannot write the events it holds under the ingest
/// journal: they must not be lost, nor hold the journal row for the rest of the silo's life. Its next activation on the
/// silo writes them as rows numbered after whatever the table got meanwhile, and the journal row is released.
/// </summary>
public sealed class StrandedHoldsTests
{
    private const string Key = "ws_stranded/dst_1";

    private static OutboxEvent Event(long seq, string id) =>
        new(seq, id, DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes($$"""{"event":"{{id}}"}"""));

    [Fact]
    public async Task Held_events_a_failed_close_could_not_write_become_rows_when_the_destination_opens_again()
    {
        await using var pg = await RestartablePostgres.StartAsync();
        await using var dataSource = NpgsqlDataSource.Create(pg.ConnectionString("broadcast"));
        await SchemaMigrator.ApplyAsync(dataSource);
        var commits = new GroupCommitOptions();
        await using var appends = new OutboxAppendBatcher(dataSource, NullLogger<OutboxAppendBatcher>.Instance, commits, TimeProvider.System);
        await using var deletes = new OutboxDeleteBatcher(dataSource, NullLogger<OutboxDeleteBatcher>.Instance);
        await using var writer = new JournalWriter(dataSource, NullLogger<JournalWriter>.Instance, commits, TimeProvider.System);
        await using var journal = new IngestJournal(dataSource, writer, "test", NullLogger<IngestJournal>.Instance);
        appends.Start();
        deletes.Start();
        writer.Start();
        journal.Start();
        var budget = new MemoryBudget(64L * 1024 * 1024);
        var store = new PostgresOutboxStore(new PostgresOutboxRepository(dataSource, Options.Create(new DeliveryOptions()), TimeProvider.System),
            appends, deletes, journal, Options.Create(new JournalOptions()), budget, TimeProvider.System);

        // A request committed as a journal row, whose two events the destination holds in memory only.
        var ticket = journal.Open();
        await journal.WriteAsync(ticket, DateTimeOffset.UtcNow, "[]"u8.ToArray());
        var (first, _) = await store.OpenAsync(Key);
        await first.AppendAsync([Event(1, "held-a"), Event(2, "held-b")], ticket);
        journal.Release(ticket.Entry, 1);
        Assert.Equal(0L, await Count(dataSource, "broadcast_outbox"));

        await pg.StopAsync();
        await Assert.ThrowsAnyAsync<Exception>(first.CloseAsync);
        await pg.StartAgainAsync();
        dataSource.Clear();

        // Meanwhile the destination lived on another silo and used the same sequence numbers.
        await appends.AppendAsync(Key, [Event(1, "elsewhere-1"), Event(2, "elsewhere-2"), Event(3, "elsewhere-3")]);
        Assert.Equal(1L, await Count(dataSource, "broadcast_ingest_journal"));

        var (_, stored) = await store.OpenAsync(Key);

        Assert.Equal((5L, 5L), (stored.Pending, stored.MaxSeq));
        Assert.Equal(["elsewhere-1", "elsewhere-2", "elsewhere-3", "held-a", "held-b"], await GenerationsBySeq(dataSource));
        Assert.Equal(0L, budget.Used);
        await Eventually.Value(() => Count(dataSource, "broadcast_ingest_journal"), n => n == 0, "the journal row, no longer held, is deleted");
    }

    private static async Task<long> Count(NpgsqlDataSource dataSource, string table)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM {table}");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<string>> GenerationsBySeq(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT generation_id FROM broadcast_outbox ORDER BY seq");
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        return ids;
    }
}
