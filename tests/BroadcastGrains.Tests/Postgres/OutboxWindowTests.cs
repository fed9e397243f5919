using System.Text;
using BroadcastGrains.Destinations;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Postgres;
using Microsoft.Extensions.Time.Testing;

namespace BroadcastGrains.Tests.Postgres;

/// <summary>
/// One activation's window over its outbox rows (Postgres mode), with the rows and the ingest journal replaced by fakes
/// and time by <see cref="FakeTimeProvider"/>: what is held under a journal entry stays out of the table until it would
/// hold the entry for long, every hold taken is given back exactly once, and every byte kept is counted in the budget.
/// </summary>
public sealed class OutboxWindowTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxHold = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new(Start);
    private readonly FakeRows _rows = new();
    private readonly FakeJournal _journal = new();

    private OutboxWindow Window(bool complete = true, MemoryBudget? budget = null) =>
        new(_rows, new OutboxWindowContext(_journal, budget ?? new MemoryBudget(long.MaxValue), _clock, MaxHold), complete);

    private OutboxEvent Event(long seq) => new(seq, $"g{seq}", _clock.GetUtcNow(), Encoding.UTF8.GetBytes($$"""{"uuid":"g{{seq}}"}"""));

    private static List<long> Seqs(IEnumerable<OutboxEvent> events) => events.Select(e => e.Seq).ToList();

    [Fact]
    public async Task Held_events_write_no_rows_and_give_their_holds_back_when_delivered()
    {
        var budget = new MemoryBudget(long.MaxValue);
        var window = Window(budget: budget);
        var ticket = _journal.Open();

        Assert.True(window.TryHold([Event(1), Event(2), Event(3)], ticket));

        Assert.Empty(_rows.Appended);
        Assert.Equal(4, _journal.Holds(ticket));
        Assert.True(budget.Used > 0);
        Assert.Equal([1L, 2L, 3L], Seqs(await window.PeekAsync(10, long.MaxValue)));
        Assert.Equal(3L, window.WithHeld(new OutboxSummary(0, 0, null, 0)).Pending);

        window.Remove([1, 2, 3]);

        Assert.Equal(1, _journal.Holds(ticket));
        Assert.Empty(_rows.Deleted);
        Assert.Equal(0L, budget.Used);
        Assert.Equal(0, window.Held);
    }

    [Fact]
    public async Task Held_events_older_than_MaxHold_become_rows_when_a_batch_is_taken()
    {
        var window = Window();
        var ticket = _journal.Open();
        Assert.True(window.TryHold([Event(1), Event(2)], ticket));

        _clock.Advance(MaxHold);
        Assert.Equal(2, (await window.PeekAsync(10, long.MaxValue)).Count);
        Assert.Empty(_rows.Appended); // exactly MaxHold old: still held

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var batch = await window.PeekAsync(10, long.MaxValue);

        Assert.Equal([1L, 2L], Seqs(batch)); // still sent from memory
        Assert.Equal([1L, 2L], Seqs(_rows.Appended));
        Assert.Equal(1, _journal.Holds(ticket));
        Assert.Equal(0, window.Held);
        // Now they are rows: delivering them deletes the rows.
        window.Remove([1, 2]);
        Assert.Equal([1L, 2L], _rows.Deleted);
    }

    [Fact]
    public async Task A_failed_attempt_spills_held_events_and_keeps_no_copies_while_the_destination_backs_off()
    {
        var budget = new MemoryBudget(long.MaxValue);
        var window = Window(budget: budget);
        await window.AppendAsync([Event(1)]);
        var ticket = _journal.Open();
        Assert.True(window.TryHold([Event(2), Event(3)], ticket));

        var rowsToCount = await window.MarkAttemptAsync([1, 2]);

        // Seq 2's new row already carries the attempt; only seq 1's existing row needs the update.
        Assert.Equal([1L], rowsToCount);
        Assert.Equal([1L, 2L, 3L], Seqs(_rows.Appended));
        Assert.Equal(1, _rows.Appended.Single(e => e.Seq == 2).Attempts);
        Assert.Equal(1, _journal.Holds(ticket));
        Assert.Equal(0, window.Count);
        Assert.Equal(0L, budget.Used);
        Assert.False(window.Complete);
        // The next attempt reads its batch back from the table; new events go to rows meanwhile.
        Assert.False(window.TryHold([Event(4)], _journal.Open()));
        Assert.Equal([1L, 2L, 3L], Seqs(await window.PeekAsync(10, long.MaxValue)));
    }

    [Fact]
    public async Task A_window_that_is_only_the_head_of_the_table_holds_nothing_and_refills_when_it_runs_dry()
    {
        _rows.Seed(Event(1), Event(2), Event(3));
        var window = Window(complete: false);
        var ticket = _journal.Open();

        Assert.False(window.TryHold([Event(4)], ticket));
        Assert.Equal(1, _journal.Holds(ticket));

        Assert.Equal([1L, 2L], Seqs(await window.PeekAsync(2, long.MaxValue)));
        Assert.Equal(1, _rows.Reads);
        window.Remove([1, 2]);
        Assert.Equal([3L], Seqs(await window.PeekAsync(2, long.MaxValue)));
        Assert.Equal(1, _rows.Reads); // the refill read the whole short table
        // That read found the table's end with nothing appended meanwhile: the window covers everything again.
        Assert.True(window.Complete);
        Assert.True(window.TryHold([Event(4)], ticket));
    }

    [Fact]
    public async Task Past_the_memory_budget_nothing_is_held_and_appended_rows_are_not_kept()
    {
        var budget = new MemoryBudget(10);
        var window = Window(budget: budget);
        var ticket = _journal.Open();

        Assert.False(window.TryHold([Event(1)], ticket));
        Assert.Equal(1, _journal.Holds(ticket));
        Assert.Equal(0L, budget.Used);

        await window.AppendAsync([Event(1)]);
        Assert.Equal([1L], Seqs(_rows.Appended));
        Assert.Equal(0, window.Count);
        Assert.False(window.Complete);
    }

    [Fact]
    public async Task An_event_delivered_while_its_spill_writes_is_deleted_again_and_its_hold_given_back_once()
    {
        var window = Window();
        var ticket = _journal.Open();
        Assert.True(window.TryHold([Event(1), Event(2)], ticket));
        var gate = _rows.HoldNextAppend();
        _clock.Advance(MaxHold + TimeSpan.FromSeconds(1));

        var peek = window.PeekAsync(10, long.MaxValue); // spills, waiting for its rows
        Assert.False(peek.IsCompleted);
        window.Remove([1]);
        Assert.Equal(2, _journal.Holds(ticket));
        gate.SetResult();
        await peek;

        Assert.Equal([1L, 2L], Seqs(_rows.Appended));
        Assert.Equal([1L], _rows.Deleted);
        Assert.Equal(1, _journal.Holds(ticket));
        Assert.Equal(0, window.Held);
    }

    [Fact]
    public async Task Close_turns_held_events_into_rows_and_a_failed_close_hands_them_over_still_held()
    {
        var ticket = _journal.Open();
        var closing = Window();
        Assert.True(closing.TryHold([Event(1)], ticket));
        await closing.CloseAsync();
        Assert.Equal([1L], Seqs(_rows.Appended));
        Assert.Equal(1, _journal.Holds(ticket));

        var budget = new MemoryBudget(long.MaxValue);
        var failing = Window(budget: budget);
        await failing.AppendAsync([Event(2)]);
        Assert.True(failing.TryHold([Event(3), Event(4)], ticket));
        var heldBytes = budget.Used - Event(2).Payload.Length;
        _rows.FailAppends = true;

        await Assert.ThrowsAsync<InvalidOperationException>(failing.CloseAsync);
        var stranded = failing.DetachHeld();

        Assert.Equal([3L, 4L], Seqs(stranded));
        Assert.All(stranded, e => Assert.Equal(ticket.Entry, e.HeldBy));
        Assert.Equal(3, _journal.Holds(ticket)); // still holding the row: nothing was written
        Assert.Equal(heldBytes, budget.Used); // still in memory, so still counted
        Assert.Equal(0, failing.Count);
    }

    [Fact]
    public async Task Dead_lettered_held_events_leave_the_window_and_give_their_holds_back_once_committed()
    {
        var window = Window();
        var ticket = _journal.Open();
        Assert.True(window.TryHold([Event(1), Event(2)], ticket));

        var held = window.TakeForDeadLetters([2]);
        Assert.Equal([2L], Seqs(held));
        Assert.Equal(3, _journal.Holds(ticket));
        window.ReleaseHolds(held);

        Assert.Equal(2, _journal.Holds(ticket));
        Assert.Equal([1L], Seqs(await window.PeekAsync(10, long.MaxValue)));
    }

    private sealed class FakeJournal : IJournalHolds
    {
        private readonly Guid _id = Guid.NewGuid();
        private readonly Dictionary<Guid, int> _holds = new();

        /// <summary>An entry held once by its opener, as <see cref="IngestJournal.Open"/> makes it.</summary>
        public JournalTicket Open()
        {
            var ticket = new JournalTicket(_id, Guid.NewGuid());
            _holds[ticket.Entry] = 1;
            return ticket;
        }

        public int Holds(JournalTicket ticket) => _holds[ticket.Entry];

        public bool IsLocal(JournalTicket? ticket) => ticket?.Journal == _id;

        public bool TryHold(Guid entry, int count)
        {
            if (!_holds.TryGetValue(entry, out var n) || n == 0) return false;
            _holds[entry] = n + count;
            return true;
        }

        public void Release(Guid entry, int count)
        {
            var n = _holds[entry] - count;
            Assert.True(n >= 0, "a hold was given back twice");
            _holds[entry] = n;
        }
    }

    private sealed class FakeRows : IOutboxRows
    {
        private readonly List<OutboxEvent> _table = [];
        private TaskCompletionSource? _gate;

        public List<OutboxEvent> Appended { get; } = [];
        public List<long> Deleted { get; } = [];
        public int Reads { get; private set; }
        public bool FailAppends { get; set; }

        public void Seed(params OutboxEvent[] events) => _table.AddRange(events);

        public TaskCompletionSource HoldNextAppend() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task AppendAsync(IReadOnlyList<OutboxEvent> events)
        {
            if (FailAppends) throw new InvalidOperationException("storage down");
            if (_gate is { } gate)
            {
                _gate = null;
                await gate.Task;
            }
            // A row is a copy: what the window does to its events later must not change it.
            foreach (var e in events) _table.Add(e with { });
            Appended.AddRange(events.Select(e => e with { }));
        }

        public Task<IReadOnlyList<OutboxEvent>> ReadHeadAsync(int maxCount, long maxBytes)
        {
            Reads++;
            return Task.FromResult<IReadOnlyList<OutboxEvent>>(_table.OrderBy(e => e.Seq).Take(maxCount).Select(e => e with { }).ToList());
        }

        public void Delete(IReadOnlyList<long> seqs)
        {
            Deleted.AddRange(seqs);
            _table.RemoveAll(e => seqs.Contains(e.Seq));
        }

        public Task FlushDeletesAsync() => Task.CompletedTask;
    }
}
