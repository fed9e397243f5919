using BroadcastGrains.Delivery;
using BroadcastGrains.Grains.Outbox;

namespace BroadcastGrains.Tests.Outbox;

/// <summary>The memory store and pooled payloads: delivered events give their space back, dead letters keep a copy.</summary>
public class MemoryOutboxStoreTests
{
    private const string Key = "ws_1/dst_1";
    private static readonly DateTimeOffset At = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    private static byte[] Payload(int seq) => Enumerable.Repeat((byte)('a' + seq % 26), 300).ToArray();

    [Fact]
    public async Task Delivered_events_return_their_block_and_dead_letters_replay_their_own_bytes()
    {
        var pool = new PayloadPool(poisonReturned: true);
        var store = new MemoryOutboxStore();
        var arena = new PayloadArena(pool);
        var events = Enumerable.Range(1, 6).Select(i => arena.Create(i, $"g{i}", At, Payload(i))).ToList();
        await store.AppendAsync(Key, events);
        arena.Close();

        await store.DeadLetterAsync(Key, [new DeadLetterEntry(events[2] with { Attempts = 1 }, DeadLetterReasons.Rejected, 400, At)]);
        await store.RemoveAsync(Key, [1, 2, 4, 5, 6]);
        // The dead letter's original left the queue without recycling, so the block stays out of the pool.
        Assert.Equal(0, pool.Counts.Returned);

        Assert.Equal(1, await store.RequeueDeadLettersAsync(Key, 6, At));
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
        var store = new MemoryOutboxStore();
        var arena = new PayloadArena(pool);
        await store.AppendAsync(Key, Enumerable.Range(1, 10).Select(i => arena.Create(i, $"g{i}", At, Payload(i))).ToList());
        arena.Close();

        var batch = await store.PeekAsync(Key, 10, long.MaxValue);
        Assert.Equal(Enumerable.Range(1, 10).Select(Payload), batch.Select(e => e.Payload.ToArray()));
        await store.RemoveAsync(Key, batch.Select(e => e.Seq).ToList());

        Assert.Equal(1, pool.Counts.Returned);
    }
}
