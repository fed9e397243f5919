using System.Text;
using BroadcastGrains.Grains.Outbox;

namespace BroadcastGrains.Tests.Outbox;

/// <summary>
/// Pooled payload blocks: a block goes back to the pool only when its arena moved on and every event sliced from
/// it was recycled; anything else keeps it out of the pool for good.
/// </summary>
public class PayloadArenaTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    private static byte[] Json(int seq, int size)
    {
        var text = $"{{\"event\":\"e{seq}\",\"pad\":\"";
        var bytes = Encoding.UTF8.GetBytes(text.PadRight(size - 2, 'x') + "\"}");
        return bytes;
    }

    [Fact]
    public void Events_carry_their_own_bytes_back_to_back()
    {
        var pool = new PayloadPool();
        var arena = new PayloadArena(pool);
        var payloads = Enumerable.Range(1, 20).Select(i => Json(i, 1_000 + i)).ToList();

        var events = payloads.Select((p, i) => arena.Create(i + 1, $"g{i + 1}", At, p)).ToList();

        for (var i = 0; i < events.Count; i++) Assert.Equal(payloads[i], events[i].Payload.ToArray());
        Assert.All(events, e => Assert.True(e.InPooledBlock));
        // 16 KiB blocks of ~1 KB events: twenty of them need two blocks.
        Assert.Equal(2, pool.Counts.Rented);
    }

    [Fact]
    public void A_block_returns_only_after_the_arena_moved_on_and_every_event_was_recycled()
    {
        var pool = new PayloadPool();
        var arena = new PayloadArena(pool);
        var first = Enumerable.Range(1, 15).Select(i => arena.Create(i, $"g{i}", At, Json(i, 1_000))).ToList();
        Assert.Equal(1, pool.Counts.Rented);
        var next = arena.Create(16, "g16", At, Json(16, 1_500)); // does not fit: the first block is sealed
        Assert.Equal(2, pool.Counts.Rented);

        foreach (var e in first.Take(14)) e.Recycle();
        Assert.Equal(0, pool.Counts.Returned);
        first[14].Recycle();
        Assert.Equal(1, pool.Counts.Returned);
        Assert.Equal(1, pool.FreeChunks);

        next.Recycle();
        Assert.Equal(1, pool.Counts.Returned); // the arena still writes into the second block
        arena.Close();
        Assert.Equal(2, pool.Counts.Returned);
    }

    /// <summary>Two 500-byte events sharing one block whose arena has moved on.</summary>
    private static (OutboxEvent First, OutboxEvent Second) TwoEventsInASealedBlock(PayloadPool pool)
    {
        var arena = new PayloadArena(pool);
        var first = arena.Create(1, "g1", At, Json(1, 500));
        var second = arena.Create(2, "g2", At, Json(2, 500));
        arena.Close();
        return (first, second);
    }

    [Fact]
    public void Recycling_empties_the_payload_and_is_idempotent()
    {
        var pool = new PayloadPool();
        var (a, b) = TwoEventsInASealedBlock(pool);

        a.Recycle();
        a.Recycle();

        Assert.True(a.Payload.IsEmpty);
        Assert.Equal(Json(2, 500), b.Payload.ToArray());
        Assert.Equal(0, pool.Counts.Returned);
        b.Recycle();
        Assert.Equal(1, pool.Counts.Returned);
    }

    [Fact]
    public void An_event_that_leaves_without_being_recycled_keeps_its_block_out_of_the_pool()
    {
        var pool = new PayloadPool();
        var (delivered, deadLettered) = TwoEventsInASealedBlock(pool);

        delivered.Recycle();

        Assert.Equal(0, pool.Counts.Returned);
        Assert.Equal(Json(2, 500), deadLettered.Payload.ToArray());
    }

    [Fact]
    public void Copies_read_the_same_bytes_but_only_the_original_gives_them_back()
    {
        var pool = new PayloadPool();
        var arena = new PayloadArena(pool);
        var original = arena.Create(1, "g1", At, Json(1, 500));
        arena.Close();
        var renumbered = original with { Seq = 99 };

        renumbered.Recycle();
        Assert.Equal(0, pool.Counts.Returned);
        // A copy still reads the block, so it counts as pooled and detaching it copies the bytes.
        Assert.True(renumbered.InPooledBlock);
        Assert.False(renumbered.Detached().InPooledBlock);
        Assert.Equal(Json(1, 500), renumbered.Payload.ToArray());

        original.Recycle();
        Assert.Equal(1, pool.Counts.Returned);
    }

    [Fact]
    public void A_detached_copy_survives_its_block_being_reused()
    {
        var pool = new PayloadPool(poisonReturned: true);
        var arena = new PayloadArena(pool);
        var e = arena.Create(1, "g1", At, Json(1, 700));
        arena.Close();

        var detached = e.Detached();
        e.Recycle();

        Assert.False(detached.InPooledBlock);
        Assert.Equal(Json(1, 700), detached.Payload.ToArray());
        Assert.Equal(1, pool.Counts.Returned);
    }

    [Fact]
    public void Large_payloads_get_an_array_of_their_own()
    {
        var pool = new PayloadPool();
        var arena = new PayloadArena(pool);

        var e = arena.Create(1, "g1", At, Json(1, PayloadPool.ChunkBytes / 2 + 1));

        Assert.False(e.InPooledBlock);
        Assert.Equal(0, pool.Counts.Rented);
    }

    [Fact]
    public void A_block_whose_events_are_all_recycled_is_written_again_from_its_start()
    {
        var pool = new PayloadPool();
        var arena = new PayloadArena(pool);
        for (var round = 0; round < 100; round++)
        {
            var e = arena.Create(round, $"g{round}", At, Json(round, 1_000));
            Assert.Equal(Json(round, 1_000), e.Payload.ToArray());
            e.Recycle();
        }
        Assert.Equal(1, pool.Counts.Rented);
    }

    [Fact]
    public void Returned_blocks_are_poisoned_and_quarantined_when_asked()
    {
        var pool = new PayloadPool(poisonReturned: true);
        var arena = new PayloadArena(pool);
        var e = arena.Create(1, "g1", At, Json(1, 1_000));
        var stale = e.Payload; // what a reader holding on too long would see
        arena.Close();
        e.Recycle();

        Assert.All(stale.ToArray(), b => Assert.Equal(PayloadPool.Poison, b));
        // Quarantined, not free: the next rentals get new blocks and the poison stays visible.
        Assert.Equal(0, pool.FreeChunks);
        var other = new PayloadArena(pool).Create(2, "g2", At, Json(2, 1_000));
        Assert.All(stale.ToArray(), b => Assert.Equal(PayloadPool.Poison, b));
        Assert.Equal(Json(2, 1_000), other.Payload.ToArray());
    }

    [Fact]
    public void The_pool_keeps_at_most_its_cap_and_trims_to_nothing()
    {
        var pool = new PayloadPool(maxPooledChunks: 2);
        var arenas = Enumerable.Range(0, 4).Select(_ => new PayloadArena(pool)).ToList();
        foreach (var a in arenas) a.Create(1, "g", At, Json(1, 100)).Recycle();
        foreach (var a in arenas) a.Close();

        Assert.Equal(4, pool.Counts.Returned);
        Assert.Equal(2, pool.FreeChunks);
        pool.Trim();
        Assert.Equal(0, pool.FreeChunks);
    }
}
