using System.Text.Json.Nodes;
using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Delivery;

/// <summary>
/// Through the API, in both storage modes: dead letters beyond MaxDeadLetters fall out (counted in the destination's
/// delivery object and the metric), and a replay moves only what the backlog has room for, page by page.
/// </summary>
public sealed class DeadLetterBoundsTests
{
    [Theory]
    [InlineData("Memory")]
    [InlineData("Postgres")]
    public async Task Dead_letters_are_capped_and_replayed_in_pages_the_backlog_has_room_for(string storage)
    {
        await using var db = storage == "Postgres" ? await TestDatabase.CreateAsync() : null;
        await using var postHog = await FakePostHog.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Broadcast:Delivery:MaxBacklog"] = "3",
            ["Broadcast:Delivery:MaxDeadLetters"] = "4",
        };
        if (db is not null)
        {
            settings["Broadcast:Storage"] = "Postgres";
            settings["ConnectionStrings:Postgres"] = db.ConnectionString;
        }
        await using var host = await TestHost.StartAsync(settings);
        var (ws, dst, key) = await host.NewWorkspaceWithDestination(postHog);
        var path = $"/v1/workspaces/{ws}/destinations/{dst}";

        // Six events, all given up on: three over the backlog cap at once (backlog_full), three rejected by PostHog.
        postHog.BatchFault = b => b.ApiKey == key ? new FakeAnswer(400) : null;
        var first = await host.Ingest().Post("/v1/traces", TraceJson.Array(Enumerable.Range(0, 6).Select(i => TraceJson.Minimal(ws, $"lost-{i}"))));
        Assert.Equal(3, first.Json["queued"]!.GetValue<int>());
        var capped = await Eventually.Value(() => Delivery(host, path),
            d => d["pending"]!.GetValue<long>() == 0 && d["dead_lettered"]!.GetValue<long>() + d["dead_letters_dropped"]!.GetValue<long>() == 6,
            "every event dead-lettered");
        Assert.Equal(4, capped["dead_lettered"]!.GetValue<long>());
        Assert.Equal(2, capped["dead_letters_dropped"]!.GetValue<long>());
        Assert.Equal(4, (await host.Admin().Get(path + "/dead-letters")).Json["dead_letters"]!.AsArray().Count);
        var metrics = (await host.Admin().Get("/metrics")).Body;
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("broadcast_dead_letters_dropped_total{") && l.Contains("reason=\"cap\""));

        // PostHog fails transiently now, so two new events stay pending: the backlog has room for one more.
        postHog.BatchFault = b => b.ApiKey == key ? new FakeAnswer(503) : null;
        var second = await host.Ingest().Post("/v1/traces", TraceJson.Array([TraceJson.Minimal(ws, "new-0"), TraceJson.Minimal(ws, "new-1")]));
        Assert.Equal(2, second.Json["queued"]!.GetValue<int>());
        var page = await host.Admin().Post(path + "/dead-letters/replay", "");
        Assert.Equal(202, page.Status);
        Assert.Equal((1, 3L, 1), (page.Json["replayed"]!.GetValue<int>(), page.Json["remaining"]!.GetValue<long>(), page.Json["requeued"]!.GetValue<int>()));
        var afterPage = await Delivery(host, path);
        Assert.Equal(3, afterPage["pending"]!.GetValue<long>());
        Assert.Equal(3, afterPage["dead_lettered"]!.GetValue<long>());

        // A full backlog takes nothing; the letters wait for the next replay.
        var none = await host.Admin().Post(path + "/dead-letters/replay", "");
        Assert.Equal((0, 3L), (none.Json["replayed"]!.GetValue<int>(), none.Json["remaining"]!.GetValue<long>()));

        // PostHog recovers: the backlog drains, and the next replay takes the rest.
        postHog.BatchFault = null;
        await Eventually.Value(() => Delivery(host, path), d => d["pending"]!.GetValue<long>() == 0, "backlog drained");
        var rest = await host.Admin().Post(path + "/dead-letters/replay", "");
        Assert.Equal((3, 0L), (rest.Json["replayed"]!.GetValue<int>(), rest.Json["remaining"]!.GetValue<long>()));
        var done = await Eventually.Value(() => Delivery(host, path),
            d => d["pending"]!.GetValue<long>() == 0 && d["delivered"]!.GetValue<long>() == 6, "replayed letters delivered");
        Assert.Equal(0, done["dead_lettered"]!.GetValue<long>());
        Assert.Equal(2, done["dead_letters_dropped"]!.GetValue<long>());
        var delivered = postHog.EventsFor(key).Select(e => e["properties"]!["$ai_span_id"]!.GetValue<string>()).ToList();
        Assert.Equal(6, delivered.Distinct().Count());
        Assert.Equal(["new-0", "new-1"], delivered.Where(id => id.StartsWith("new")).Order());
        Assert.Equal(4, delivered.Count(id => id.StartsWith("lost")));
    }

    private static async Task<JsonNode> Delivery(TestHost host, string path) => (await host.Admin().Get(path)).Json["delivery"]!;
}
