using BroadcastGrains.Grains.Outbox;

namespace BroadcastGrains.Tests.Outbox;

/// <summary>The per-destination window: held events (journal-backed, no outbox row) are counted and reported on removal.</summary>
public class OutboxQueueTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid EntryA = Guid.Parse("0192f0a0-0000-7000-8000-00000000000a");
    private static readonly Guid EntryB = Guid.Parse("0192f0a0-0000-7000-8000-00000000000b");

    private static OutboxEvent Event(long seq, Guid heldBy = default) =>
        new(seq, $"g{seq}", At, new byte[10]) { HeldBy = heldBy };

    [Fact]
    public void Held_events_are_counted_as_they_come_and_go()
    {
        var queue = new OutboxQueue { Complete = true };
        queue.Add(Event(1));
        queue.Add(Event(2, EntryA));
        queue.Add(Event(3, EntryA));
        queue.Add(Event(4, EntryB));
        Assert.Equal(3, queue.Held);
        Assert.Equal(40, queue.Bytes);

        var held = new List<OutboxEvent>();
        var freed = queue.Remove([1, 2], held);

        Assert.Equal(20, freed);
        Assert.Equal(2, queue.Held);
        Assert.Equal([2L], held.Select(e => e.Seq));
        Assert.Equal([3L, 4L], queue.Head(10, long.MaxValue).Select(e => e.Seq));
    }

    [Fact]
    public void Removing_from_the_middle_reports_only_the_held_ones_and_keeps_the_order()
    {
        var queue = new OutboxQueue();
        for (var seq = 1; seq <= 12; seq++) queue.Add(Event(seq, seq % 2 == 0 ? EntryA : default));
        var held = new List<OutboxEvent>();

        queue.Remove([3, 4, 5, 6, 7, 8, 9, 10, 11], held);

        Assert.Equal([4L, 6L, 8L, 10L], held.Select(e => e.Seq));
        Assert.Equal([1L, 2L, 12L], queue.Events.Select(e => e.Seq));
        Assert.Equal(2, queue.Held);
    }

    [Fact]
    public void Without_a_list_held_removals_are_still_uncounted()
    {
        var queue = new OutboxQueue();
        queue.Add(Event(1, EntryA));
        queue.Remove([1]);
        Assert.Equal(0, queue.Held);
        Assert.Equal(0, queue.Count);
    }

    /// <summary>Events 1–4 of 100 bytes in one block whose arena has moved on.</summary>
    private static OutboxQueue QueueOfFourPooledEvents(PayloadPool pool)
    {
        var arena = new PayloadArena(pool);
        var queue = new OutboxQueue();
        for (var seq = 1; seq <= 4; seq++) queue.Add(arena.Create(seq, $"g{seq}", At, new byte[100]));
        arena.Close();
        return queue;
    }

    [Fact]
    public void Only_a_recycling_removal_gives_pooled_payloads_back()
    {
        var pool = new PayloadPool();
        var queue = QueueOfFourPooledEvents(pool);
        var kept = queue.Events.ToList();

        queue.Remove([1, 2]);
        Assert.Equal(0, pool.Counts.Returned);
        Assert.Equal(100, kept[0].Payload.Length);

        queue.Remove([3, 4], recycle: true);
        Assert.True(kept[2].Payload.IsEmpty);
        // Events 1 and 2 left without recycling (as dead letters do): their block never goes back.
        Assert.Equal(0, pool.Counts.Returned);
    }

    [Fact]
    public void A_block_goes_back_once_all_its_events_are_delivered()
    {
        var pool = new PayloadPool();
        var queue = QueueOfFourPooledEvents(pool);

        queue.Remove([1, 3], recycle: true);
        Assert.Equal(0, pool.Counts.Returned);
        queue.Remove([2, 4], recycle: true);
        Assert.Equal(1, pool.Counts.Returned);
    }
}
