using System.Diagnostics.Metrics;
using BroadcastGrains.Delivery;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Traces;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BroadcastGrains.Tests.Outbox;

/// <summary>
/// The memory store: pooled payloads (delivered events give their space back, dead letters keep a copy), bounded
/// dead letters (cap and retention, counted), paged replay, and the silo's memory budget.
/// </summary>
public class MemoryOutboxStoreTests
{
    private const string Key = "ws_1/dst_1";
    private static readonly DateTimeOffset At = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    private static byte[] Payload(int seq) => Enumerable.Repeat((byte)('a' + seq % 26), 300).ToArray();

    private static MemoryOutboxStore Store(MemoryBudget? budget = null, TimeProvider? clock = null, int maxDeadLetters = 10_000) =>
        new(budget ?? new MemoryBudget(long.MaxValue), clock ?? new FakeTimeProvider(At),
            Options.Create(new DeliveryOptions { MaxDeadLetters = maxDeadLetters, DeadLetterRetention = TimeSpan.FromDays(7) }));

    private static OutboxEvent Event(int seq, DateTimeOffset? at = null) => new(seq, $"g{seq}", at ?? At, Payload(seq));

    private static DeadLetterEntry Letter(OutboxEvent e, DateTimeOffset failedAt, string reason = DeadLetterReasons.Rejected) =>
        new(e, reason, 400, failedAt);

    [Fact]
    public async Task Delivered_events_return_their_block_and_dead_letters_replay_their_own_bytes()
    {
        var pool = new PayloadPool(poisonReturned: true);
        var store = Store();
        var arena = new PayloadArena(pool);
        var events = Enumerable.Range(1, 6).Select(i => arena.Create(i, $"g{i}", At, Payload(i))).ToList();
        await store.AppendAsync(Key, events);
        arena.Close();

        await store.DeadLetterAsync(Key, [new DeadLetterEntry(events[2] with { Attempts = 1 }, DeadLetterReasons.Rejected, 400, At)]);
        await store.RemoveAsync(Key, [1, 2, 4, 5, 6]);
        // The dead letter's original left the queue without recycling, so the block stays out of the pool.
        Assert.Equal(0, pool.Counts.Returned);

        Assert.Equal(new ReplayResult { Replayed = 1, Remaining = 0 }, await store.RequeueDeadLettersAsync(Key, 6, At, 100));
        var replayed = Assert.Single(await store.PeekAsync(Key, 10, long.MaxValue));
        Assert.Equal("g3", replayed.GenerationId);
        Assert.Equal(Payload(3), replayed.Payload.ToArray());
        // The dead letter was a copy (with more attempts) of a pooled event: it still got bytes of its own.
        Assert.False(replayed.InPooledBlock);
    }

    [Fact]
    public async Task A_whole_block_delivered_goes_back_to_the_pool()
    {
        var pool = new PayloadPool();
        var store = Store();
        var arena = new PayloadArena(pool);
        await store.AppendAsync(Key, Enumerable.Range(1, 10).Select(i => arena.Create(i, $"g{i}", At, Payload(i))).ToList());
        arena.Close();

        var batch = await store.PeekAsync(Key, 10, long.MaxValue);
        Assert.Equal(Enumerable.Range(1, 10).Select(Payload), batch.Select(e => e.Payload.ToArray()));
        await store.RemoveAsync(Key, batch.Select(e => e.Seq).ToList());

        Assert.Equal(1, pool.Counts.Returned);
    }

    [Fact]
    public async Task Dead_letters_past_the_cap_fall_out_oldest_first_and_are_counted()
    {
        using var drops = new DropListener();
        var store = Store(maxDeadLetters: 3);
        await store.DeadLetterAsync(Key, [Letter(Event(1), At), Letter(Event(2), At.AddSeconds(1))]);
        await store.DeadLetterAsync(Key, [Letter(Event(3), At.AddSeconds(2)), Letter(Event(4), At.AddSeconds(3)), Letter(Event(5), At.AddSeconds(4))]);

        var kept = await store.ListDeadLettersAsync(Key, 100);
        Assert.Equal(["g5", "g4", "g3"], kept.Select(d => d.GenerationId));
        var summary = await store.SummarizeAsync(Key);
        Assert.Equal(3, summary.DeadLettered);
        Assert.Equal(2, summary.DeadLettersDropped);
        Assert.Equal(2, drops.Count("cap"));
        Assert.Equal(0, drops.Count("retention"));
    }

    [Fact]
    public async Task Dead_letters_past_the_retention_fall_out_at_the_next_dead_letter_or_sweep_and_are_counted()
    {
        using var drops = new DropListener();
        var clock = new FakeTimeProvider(At);
        var store = Store(clock: clock);
        await store.DeadLetterAsync(Key, [Letter(Event(1), clock.GetUtcNow())]);
        clock.Advance(TimeSpan.FromDays(3));
        await store.DeadLetterAsync(Key, [Letter(Event(2), clock.GetUtcNow())]);
        await store.DeadLetterAsync("ws_2/dst_1", [Letter(Event(1), clock.GetUtcNow())]);

        // Exactly at the retention a letter is still kept; a tick later it is due.
        clock.Advance(TimeSpan.FromDays(4));
        Assert.Equal(0, await store.SweepDeadLettersAsync(CancellationToken.None));
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, await store.SweepDeadLettersAsync(CancellationToken.None));
        Assert.Equal(["g2"], (await store.ListDeadLettersAsync(Key, 100)).Select(d => d.GenerationId));
        Assert.Equal(1, (await store.SummarizeAsync(Key)).DeadLettersDropped);

        // A destination that fails again trims its own expired letters without waiting for the sweep.
        clock.Advance(TimeSpan.FromDays(3));
        await store.DeadLetterAsync(Key, [Letter(Event(3), clock.GetUtcNow())]);
        Assert.Equal(["g3"], (await store.ListDeadLettersAsync(Key, 100)).Select(d => d.GenerationId));
        Assert.Equal(2, (await store.SummarizeAsync(Key)).DeadLettersDropped);
        Assert.Equal(1, (await store.SummarizeAsync("ws_2/dst_1")).DeadLettered);
        Assert.Equal(2, drops.Count("retention"));
    }

    [Fact]
    public async Task A_replay_moves_at_most_the_given_number_oldest_first_and_reports_what_remains()
    {
        var store = Store();
        await store.AppendAsync(Key, Enumerable.Range(1, 5).Select(i => Event(i)).ToList());
        // Dead-lettered in the order 4, 2, 5, 1, 3; event 3 has no payload (it could never be sent).
        await store.DeadLetterAsync(Key, [Letter(Event(4), At), Letter(Event(2), At)]);
        await store.DeadLetterAsync(Key, [Letter(Event(5), At), Letter(Event(1), At)]);
        await store.DeadLetterAsync(Key, [Letter(new OutboxEvent(3, "g3", At, Array.Empty<byte>()), At, DeadLetterReasons.TooLarge)]);
        Assert.Equal(0, (await store.SummarizeAsync(Key)).Pending);

        Assert.Equal(new ReplayResult { Replayed = 0, Remaining = 4 }, await store.RequeueDeadLettersAsync(Key, 5, At, 0));
        Assert.Equal(new ReplayResult { Replayed = 2, Remaining = 2 }, await store.RequeueDeadLettersAsync(Key, 5, At, 2));
        var pending = await store.PeekAsync(Key, 10, long.MaxValue);
        Assert.Equal(["g4", "g2"], pending.Select(e => e.GenerationId));
        Assert.Equal([6L, 7L], pending.Select(e => e.Seq));

        Assert.Equal(new ReplayResult { Replayed = 2, Remaining = 0 }, await store.RequeueDeadLettersAsync(Key, 7, At, 10));
        Assert.Equal(["g4", "g2", "g5", "g1"], (await store.PeekAsync(Key, 10, long.MaxValue)).Select(e => e.GenerationId));
        // The payload-less letter stays a dead letter.
        Assert.Equal(["g3"], (await store.ListDeadLettersAsync(Key, 10)).Select(d => d.GenerationId));
    }

    [Fact]
    public async Task Appends_past_the_memory_budget_are_refused_whole_and_delivery_frees_the_budget()
    {
        var budget = new MemoryBudget(1000);
        var store = Store(budget);
        await store.AppendAsync(Key, [Event(1), Event(2), Event(3)]);
        Assert.Equal(900, budget.Used);

        var refused = await Assert.ThrowsAsync<IngestUnavailableException>(() => store.AppendAsync(Key, [Event(4)]));
        Assert.Equal("memory_budget", refused.Reason);
        Assert.True(refused.RetryAfterSeconds >= 1);
        // Nothing of the refused call was stored or counted.
        Assert.Equal(3, (await store.SummarizeAsync(Key)).Pending);
        Assert.Equal(900, budget.Used);

        await store.RemoveAsync(Key, [1, 2]);
        Assert.Equal(300, budget.Used);
        await store.AppendAsync(Key, [Event(4), Event(5)]);
        Assert.Equal(900, budget.Used);

        // A destination deleted gives back everything it held.
        await store.DiscardAllAsync(Key);
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public async Task Dead_letters_keep_their_bytes_counted_and_without_budget_left_keep_no_payload()
    {
        var budget = new MemoryBudget(1000);
        var store = Store(budget, maxDeadLetters: 2);
        await store.AppendAsync(Key, [Event(1), Event(2), Event(3)]);

        // Pending events that become dead letters take their share of the budget along.
        await store.DeadLetterAsync(Key, [Letter(Event(1), At)]);
        Assert.Equal(900, budget.Used);

        // A letter made at acceptance (backlog_full) needs budget of its own: with none left it is kept and
        // counted, but without its payload, so it is not replayable.
        await store.DeadLetterAsync(Key, [Letter(Event(9), At, DeadLetterReasons.BacklogFull)]);
        Assert.Equal(900, budget.Used);
        Assert.Equal(2, (await store.SummarizeAsync(Key)).DeadLettered);
        Assert.Equal(new ReplayResult { Replayed = 0, Remaining = 1 }, await store.RequeueDeadLettersAsync(Key, 9, At, 0));

        // A letter falling out at the cap gives its bytes back.
        await store.DeadLetterAsync(Key, [Letter(Event(2), At)]);
        Assert.Equal(["g2", "g9"], (await store.ListDeadLettersAsync(Key, 10)).Select(d => d.GenerationId).Order());
        Assert.Equal(600, budget.Used);
        await store.RemoveAsync(Key, [3]);
        Assert.Equal(300, budget.Used);
    }

    /// <summary>
    /// Counts <c>broadcast.dead_letters.dropped</c> by reason while it lives. Only this class drops dead letters in
    /// this assembly, and a class's tests run one at a time, so the counts are this test's.
    /// </summary>
    private sealed class DropListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _counts = new();

        public DropListener()
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument, BroadcastTelemetry.DeadLettersDropped)) l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key != "reason") continue;
                    lock (_counts) _counts[(string)tag.Value!] = _counts.GetValueOrDefault((string)tag.Value!) + value;
                }
            });
            _listener.Start();
        }

        public long Count(string reason)
        {
            lock (_counts) return _counts.GetValueOrDefault(reason);
        }

        public void Dispose() => _listener.Dispose();
    }
}
