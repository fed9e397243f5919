using BroadcastGrains.Delivery;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>
/// The durable store's dead letters on a real PostgreSQL: the cap and the retention trim them set-wise, oldest
/// first, counted in broadcast_dead_letter_drops; a replay moves a page and says how many are left.
/// </summary>
public sealed class PostgresDeadLetterTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
    private const string Key = "ws_dl/dst_1";
    private const string Other = "ws_dl/dst_2";

    private readonly FakeTimeProvider _clock = new(Start);
    private TestDatabase _db = null!;
    private NpgsqlDataSource _dataSource = null!;
    private OutboxAppendBatcher _appends = null!;
    private OutboxDeleteBatcher _deletes = null!;
    private IngestJournal _journal = null!;
    private PostgresOutboxStore _store = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _dataSource = NpgsqlDataSource.Create(_db.ConnectionString);
        await SchemaMigrator.ApplyAsync(_dataSource);
        _appends = new OutboxAppendBatcher(_dataSource, NullLogger<OutboxAppendBatcher>.Instance, new GroupCommitOptions(), TimeProvider.System);
        _deletes = new OutboxDeleteBatcher(_dataSource, NullLogger<OutboxDeleteBatcher>.Instance);
        var journalWriter = new JournalWriter(_dataSource, NullLogger<JournalWriter>.Instance, new GroupCommitOptions(), TimeProvider.System);
        _journal = new IngestJournal(_dataSource, journalWriter, "test", NullLogger<IngestJournal>.Instance);
        // What the silo's lifecycle does (PostgresWriters).
        _appends.Start();
        _deletes.Start();
        journalWriter.Start();
        _journal.Start();
        _store = Store(new DeliveryOptions { MaxDeadLetters = 3, DeadLetterRetention = TimeSpan.FromDays(7) }, new MemoryBudget(64L * 1024 * 1024));
    }

    public async Task DisposeAsync()
    {
        await _journal.DisposeAsync();
        await _deletes.DisposeAsync();
        await _appends.DisposeAsync();
        await _dataSource.DisposeAsync();
        await _db.DisposeAsync();
    }

    private PostgresOutboxStore Store(DeliveryOptions delivery, MemoryBudget budget) =>
        new(new PostgresOutboxRepository(_dataSource, Options.Create(delivery), _clock), _appends, _deletes, _journal,
            Options.Create(new JournalOptions()), budget, _clock);

    /// <summary>A destination's outbox as an activation opens it.</summary>
    private async Task<IDestinationOutbox> Open(string key, PostgresOutboxStore? store = null) => (await (store ?? _store).OpenAsync(key)).Outbox;

    private static OutboxEvent Event(long seq, string id) => new(seq, id, Start, System.Text.Encoding.UTF8.GetBytes($$"""{"event":"{{id}}"}"""));

    private DeadLetterEntry Letter(OutboxEvent e) => new(e, DeadLetterReasons.Rejected, 400, _clock.GetUtcNow());

    private static async Task<List<string>> Kept(IDestinationOutbox outbox) => (await outbox.ListDeadLettersAsync(100)).Select(d => d.GenerationId).ToList();

    [Fact]
    public async Task The_cap_keeps_the_newest_and_counts_the_rest_in_the_same_statement()
    {
        var outbox = await Open(Key);
        await outbox.DeadLetterAsync([Letter(Event(1, "a")), Letter(Event(2, "b"))]);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await outbox.DeadLetterAsync([Letter(Event(3, "c")), Letter(Event(4, "d")), Letter(Event(5, "e"))]);

        Assert.Equal(["e", "d", "c"], await Kept(outbox));
        var summary = await outbox.SummarizeAsync();
        Assert.Equal(3, summary.DeadLettered);
        Assert.Equal(2, summary.DeadLettersDropped);
        Assert.Equal(2L, await _db.ScalarAsync<long>($"SELECT cap FROM broadcast_dead_letter_drops WHERE destination_key = '{Key}'"));

        // One more pushes out exactly one more, the oldest.
        _clock.Advance(TimeSpan.FromSeconds(1));
        await outbox.DeadLetterAsync([Letter(Event(6, "f"))]);
        Assert.Equal(["f", "e", "d"], await Kept(outbox));
        Assert.Equal(3, (await outbox.SummarizeAsync()).DeadLettersDropped);
    }

    [Fact]
    public async Task Expired_letters_are_swept_for_every_destination_and_counted_as_retention()
    {
        var outbox = await Open(Key);
        var other = await Open(Other);
        await outbox.DeadLetterAsync([Letter(Event(1, "old"))]);
        await other.DeadLetterAsync([Letter(Event(1, "other-old"))]);
        _clock.Advance(TimeSpan.FromDays(2));
        await outbox.DeadLetterAsync([Letter(Event(2, "young"))]);

        _clock.Advance(TimeSpan.FromDays(5));
        Assert.Equal(0, await _store.SweepDeadLettersAsync(CancellationToken.None)); // exactly 7 days old: kept
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, await _store.SweepDeadLettersAsync(CancellationToken.None));

        Assert.Equal(["young"], await Kept(outbox));
        Assert.Empty(await Kept(other));
        Assert.Equal(1, (await outbox.SummarizeAsync()).DeadLettersDropped);
        Assert.Equal(1, (await other.SummarizeAsync()).DeadLettersDropped);
        Assert.Equal(2L, await _db.ScalarAsync<long>("SELECT sum(retention)::bigint FROM broadcast_dead_letter_drops"));
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT sum(cap)::bigint FROM broadcast_dead_letter_drops"));

        // A new dead letter of a destination trims its expired ones at once, without the sweep.
        _clock.Advance(TimeSpan.FromDays(2));
        await outbox.DeadLetterAsync([Letter(Event(3, "newest"))]);
        Assert.Equal(["newest"], await Kept(outbox));
        Assert.Equal(2, (await outbox.SummarizeAsync()).DeadLettersDropped);

        // Deleting the destination forgets its counts too.
        await outbox.DiscardAllAsync();
        Assert.Equal(0L, await _db.ScalarAsync<long>($"SELECT count(*) FROM broadcast_dead_letter_drops WHERE destination_key = '{Key}'"));
    }

    [Fact]
    public async Task A_replay_moves_a_page_oldest_first_and_reports_what_remains()
    {
        var outbox = await Open(Key);
        // Stored as outbox rows, then dead-lettered (rows moved) in the order c, a, b; "x" has no payload.
        var events = new[] { Event(1, "a"), Event(2, "b"), Event(3, "c") };
        await outbox.AppendAsync(events);
        await outbox.DeadLetterAsync([Letter(events[2])]);
        await outbox.DeadLetterAsync([Letter(events[0]), Letter(events[1])]);
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM broadcast_outbox"));
        var unsendable = new DeadLetterEntry(new OutboxEvent(4, "x", Start, Array.Empty<byte>()), DeadLetterReasons.TooLarge, null, _clock.GetUtcNow());
        await (await Open(Key, Store(new DeliveryOptions(), new MemoryBudget(1024 * 1024))))
            .DeadLetterAsync([unsendable]); // under the default cap: nothing falls out

        Assert.Equal(new ReplayResult { Replayed = 0, Remaining = 3 }, await outbox.RequeueDeadLettersAsync(4, Start, 0));
        Assert.Equal(new ReplayResult { Replayed = 2, Remaining = 1 }, await outbox.RequeueDeadLettersAsync(4, Start, 2));
        var pending = await outbox.PeekAsync(10, long.MaxValue);
        Assert.Equal(["c", "a"], pending.Select(e => e.GenerationId));
        Assert.Equal([5L, 6L], pending.Select(e => e.Seq));
        Assert.Equal("""{"event":"c"}""", System.Text.Encoding.UTF8.GetString(pending[0].Payload.Span));

        Assert.Equal(new ReplayResult { Replayed = 1, Remaining = 0 }, await outbox.RequeueDeadLettersAsync(6, Start, 10));
        // The first page is delivered; the second comes after it, read back from the table.
        await outbox.RemoveAsync([5, 6]);
        var next = Assert.Single(await outbox.PeekAsync(10, long.MaxValue));
        Assert.Equal(("b", 7L), (next.GenerationId, next.Seq));
        Assert.Equal(["x"], await Kept(outbox));
    }
}
