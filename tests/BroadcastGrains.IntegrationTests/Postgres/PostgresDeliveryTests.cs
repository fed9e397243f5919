using System.Text.Json.Nodes;
using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>The delivery rules again, on the durable outbox (in-memory window, batched deletes, table reads).</summary>
public sealed class PostgresDeliveryTests
{
    [Fact]
    public async Task Retries_bisection_dead_letters_and_replay_work_on_the_durable_outbox()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Storage"] = "Postgres",
            ["ConnectionStrings:Postgres"] = db.ConnectionString,
        });
        var (ws, dst, key) = await host.NewWorkspaceWithDestination(postHog);
        var path = $"/v1/workspaces/{ws}/destinations/{dst}";

        var transient = 0;
        var rejectBad = true;
        postHog.BatchFault = b =>
            Interlocked.Increment(ref transient) <= 2 ? new FakeAnswer(503) :
            Volatile.Read(ref rejectBad) && b.Events.Any(e => SpanId(e).StartsWith("bad")) ? new FakeAnswer(400) : null;

        var ids = new List<string>();
        for (var request = 0; request < 3; request++)
        {
            var batch = Enumerable.Range(0, 300).Select(i => request == 1 && i == 150 ? "bad-1-150" : $"ok-{request}-{i:D3}").ToList();
            ids.AddRange(batch);
            var r = await host.Ingest().Post("/v1/traces", TraceJson.Array(batch.Select(id => TraceJson.Minimal(ws, id))));
            Assert.Equal(300, r.Json["queued"]!.GetValue<int>());
        }

        await Eventually.Value(() => host.Admin().Get(path),
            v => v.Json["delivery"]!["pending"]!.GetValue<long>() == 0 && v.Json["delivery"]!["dead_lettered"]!.GetValue<long>() == 1, "drained");
        Assert.Equal(ids.Where(i => !i.StartsWith("bad")), SpanIds(postHog, key));
        await Eventually.Value(() => db.ScalarAsync<long>("SELECT count(*) FROM broadcast_outbox"), n => n == 0, "delivered rows deleted");
        Assert.Equal("rejected", await db.ScalarAsync<string>("SELECT reason FROM broadcast_dead_letters"));

        Volatile.Write(ref rejectBad, false);
        var replay = await host.Admin().Post(path + "/dead-letters/replay", "");
        Assert.Equal(1, replay.Json["requeued"]!.GetValue<int>());
        await Eventually.True(() => SpanIds(postHog, key).Contains("bad-1-150"), "replayed event delivered");
        await Eventually.Value(() => db.ScalarAsync<long>("SELECT count(*) FROM broadcast_outbox"), n => n == 0, "replayed row deleted");
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM broadcast_dead_letters"));
        var view = (await host.Admin().Get(path)).Json["delivery"]!;
        Assert.Equal(900, view["delivered"]!.GetValue<long>());

        // Group commits are measured (only Postgres mode records these, so this host's appends produced them).
        await Eventually.Value(() => host.Admin().Get("/metrics"),
            r => r.Body.Contains("broadcast_outbox_commit_wait_seconds_bucket") && r.Body.Contains("broadcast_outbox_commit_rows_count")
                && r.Body.Contains("broadcast_journal_commit_wait_seconds_bucket"),
            "commit metrics exported");
    }

    private static List<string> SpanIds(FakePostHog postHog, string key) => postHog.EventsFor(key).Select(SpanId).ToList();

    private static string SpanId(JsonObject e) => e["properties"]!["$ai_span_id"]!.GetValue<string>();
}
