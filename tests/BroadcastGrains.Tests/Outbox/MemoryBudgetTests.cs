using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Tests.Outbox;

/// <summary>The silo-wide byte budget's arithmetic: all or nothing, exact release, and the refusal ingest answers with 503.</summary>
public class MemoryBudgetTests
{
    [Fact]
    public void Reservations_fit_up_to_the_budget_all_or_nothing()
    {
        var budget = new MemoryBudget(1000);
        Assert.True(budget.TryReserve(600));
        Assert.True(budget.TryReserve(400));
        Assert.Equal(1000, budget.Used);
        Assert.Equal(0, budget.Available);

        // One byte over is refused whole: nothing of it is counted.
        Assert.False(budget.TryReserve(1));
        Assert.Equal(1000, budget.Used);

        budget.Release(300);
        Assert.False(budget.TryReserve(301));
        Assert.True(budget.TryReserve(300));
        Assert.Equal(1000, budget.Used);
    }

    [Fact]
    public void Nothing_to_reserve_always_fits_and_bytes_already_in_memory_are_counted_past_the_budget()
    {
        var budget = new MemoryBudget(100);
        Assert.True(budget.TryReserve(100));
        Assert.True(budget.TryReserve(0));

        // What is in memory anyway (a batch read back for its send) is counted even past the budget,
        // so that later reservations wait for it to leave.
        budget.Add(50);
        Assert.Equal(150, budget.Used);
        Assert.Equal(0, budget.Available);
        budget.Release(150);
        Assert.Equal(0, budget.Used);
        Assert.True(budget.TryReserve(100));
    }

    [Fact]
    public void Reserve_past_the_budget_throws_the_503_exception_with_a_retry_after()
    {
        var budget = new MemoryBudget(10);
        budget.Reserve(10);
        var refused = Assert.Throws<IngestUnavailableException>(() => budget.Reserve(1));
        Assert.Equal("memory_budget", refused.Reason);
        Assert.Equal((int)MemoryBudget.RetryAfter.TotalSeconds, refused.RetryAfterSeconds);
        Assert.Equal(10, budget.Used);
    }

    [Fact]
    public async Task Concurrent_reservations_never_exceed_the_budget()
    {
        var budget = new MemoryBudget(10_000);
        var granted = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                if (budget.TryReserve(7)) Interlocked.Increment(ref granted);
            }
        })));
        Assert.Equal(10_000 / 7, granted);
        Assert.Equal(10_000 / 7 * 7, budget.Used);
    }

    [Fact]
    public void The_default_is_a_quarter_of_the_gc_memory_and_postgres_keeps_its_window_size()
    {
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        Assert.Equal(Math.Max(64L * 1024 * 1024, available / 4), MemoryBudget.DefaultMaxBytes(durableStorage: false));
        Assert.Equal(Math.Min(MemoryBudget.PostgresDefaultMaxBytes, Math.Max(64L * 1024 * 1024, available / 4)), MemoryBudget.DefaultMaxBytes(durableStorage: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryBudget(0));
    }
}
