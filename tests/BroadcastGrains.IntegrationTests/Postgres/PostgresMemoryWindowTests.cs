using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>
/// Postgres storage under the silo's memory budget: past it, events become outbox rows instead of staying in
/// memory (every request still 202), a destination that is backing off keeps no copies of its rows in memory, and
/// everything accepted is delivered once PostHog answers again.
/// </summary>
public sealed class PostgresMemoryWindowTests
{
    /// <summary>
    /// Room for the first request's events (30 minimal records, about 20 KB), so every destination holds some and
    /// has its send in flight; the 300 events of the test are several times more.
    /// </summary>
    private const long Budget = 48 * 1024;

    [Fact]
    public async Task The_windows_stay_within_the_budget_and_a_failing_destination_keeps_nothing_in_memory()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Storage"] = "Postgres",
            ["ConnectionStrings:Postgres"] = db.ConnectionString,
            ["Broadcast:Memory:MaxBufferedBytes"] = Budget.ToString(),
        });
        var budget = host.Services.GetRequiredService<MemoryBudget>();
        Assert.Equal(Budget, budget.MaxBytes);
        var tenants = new List<(string Workspace, string DestinationId, string ApiKey)>();
        for (var i = 0; i < 3; i++) tenants.Add(await host.NewWorkspaceWithDestination(postHog));

        // 0: sends hang (then fail); 1: sends fail at once; 2: PostHog accepts.
        var mode = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        postHog.BatchFault = _ => Volatile.Read(ref mode) switch
        {
            0 => new FakeAnswer(503, Hold: gate.Task),
            1 => new FakeAnswer(503),
            _ => null,
        };

        var sent = new List<(string Workspace, string Generation)>();
        for (var request = 0; request < 10; request++)
        {
            var records = Enumerable.Range(0, 30).Select(i => (Workspace: tenants[i % 3].Workspace, Generation: $"w-{request:D2}-{i:D2}")).ToList();
            sent.AddRange(records);
            var r = await host.Ingest().Post("/v1/traces", TraceJson.Array(records.Select(x => TraceJson.Minimal(x.Workspace, x.Generation))));
            Assert.Equal(202, r.Status);
            // Held events and row copies in the windows never go past the budget. (Only a window that ran dry
            // reads one batch back past it, and none runs dry while its send hangs.)
            Assert.True(budget.Used <= Budget, $"{budget.Used} bytes buffered after request {request}");
        }
        // What did not fit is stored as rows rather than kept in memory.
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM broadcast_outbox") > 0, "nothing spilled to rows");

        // The hanging sends fail, and so does every retry: between attempts the destinations hold no window.
        Volatile.Write(ref mode, 1);
        gate.SetResult();
        await Eventually.True(() => postHog.Batches.Count(b => !b.Accepted) >= 9, "every destination retried");
        await Eventually.True(() => budget.Used == 0, "no window kept while backing off");
        Assert.Equal(300L, await db.ScalarAsync<long>("SELECT count(*) FROM broadcast_outbox"));

        Volatile.Write(ref mode, 2);
        foreach (var (ws, _, key) in tenants)
        {
            var want = sent.Where(x => x.Workspace == ws).Select(x => x.Generation).ToList();
            await Eventually.True(() => postHog.EventsFor(key).Count >= want.Count, $"{ws}: everything delivered");
            Assert.Equal(want, postHog.EventsFor(key).Select(e => e["properties"]!["$ai_span_id"]!.GetValue<string>()));
        }
        await Eventually.Value(() => db.ScalarAsync<long>("SELECT count(*) FROM broadcast_outbox"), n => n == 0, "rows deleted");
        await Eventually.True(() => budget.Used == 0, "budget free again");

        // The budget and its use are exported for operators. (Not their values: hosts of other tests in this
        // process register gauges of the same name on the same static meter.)
        var metrics = (await host.Admin().Get("/metrics")).Body.Split('\n');
        Assert.Contains(metrics, l => l.StartsWith("broadcast_memory_budget_bytes"));
        Assert.Contains(metrics, l => l.StartsWith("broadcast_memory_buffered_bytes"));
    }
}
