using BroadcastGrains.Delivery;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.Outbox;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BroadcastGrains.Tests.Outbox;

/// <summary>The periodic sweep removes expired dead letters of destinations that make no new ones, on the silo's clock.</summary>
public class DeadLetterSweeperTests
{
    [Fact]
    public async Task Each_interval_removes_the_dead_letters_past_the_retention()
    {
        var start = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        var options = Options.Create(new DeliveryOptions
        {
            DeadLetterRetention = TimeSpan.FromDays(7),
            DeadLetterSweepInterval = TimeSpan.FromMinutes(10),
        });
        var store = new MemoryOutboxStore(new MemoryBudget(long.MaxValue), clock, options);
        await store.DeadLetterAsync("ws_1/dst_1", [new DeadLetterEntry(new OutboxEvent(1, "g1", start, new byte[10]), DeadLetterReasons.Rejected, 400, start)]);
        using var sweeper = new DeadLetterSweeper(store, options, clock, NullLogger<DeadLetterSweeper>.Instance);
        await sweeper.StartAsync(CancellationToken.None);
        try
        {
            // Six days and some sweeps later the letter is still young enough.
            for (var i = 0; i < 6 * 24 * 6; i++) clock.Advance(TimeSpan.FromMinutes(10));
            await Task.Yield();
            Assert.Equal(1, (await store.SummarizeAsync("ws_1/dst_1")).DeadLettered);

            // Past seven days, the next sweep removes it, counted.
            clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(10));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while ((await store.SummarizeAsync("ws_1/dst_1")).DeadLettered != 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the sweep did not remove the expired dead letter");
                await Task.Delay(10);
            }
            Assert.Equal(1, (await store.SummarizeAsync("ws_1/dst_1")).DeadLettersDropped);
        }
        finally
        {
            await sweeper.StopAsync(CancellationToken.None);
        }
    }
}
