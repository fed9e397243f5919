using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>
/// The ingest journal (db/013): a request is one committed row, and destinations on the accepting silo hold its
/// events in memory until they are delivered, fail, or wait too long; a silo that dies leaves its rows to be
/// ingested again.
/// </summary>
public sealed class IngestJournalTests
{
    private const string CountJournal = "SELECT count(*) FROM broadcast_ingest_journal";
    private const string CountOutbox = "SELECT count(*) FROM broadcast_outbox";

    [Fact]
    public async Task A_request_is_one_row_held_until_its_events_are_delivered()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await StartHostAsync(db);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        postHog.BatchFault = _ => new FakeAnswer(200, Hold: gate.Task);
        var tenants = await ConfigureAsync(host.Admin(), postHog, 3);

        var ids = Spread(tenants, 30, "held");
        var r = await host.Ingest().Post("/v1/traces", Body(ids));
        Assert.Equal(202, r.Status);
        Assert.Equal(30, r.Json["queued"]!.GetValue<int>());

        // Committed as one row, and no outbox row at all while the sends hang.
        Assert.Equal(1L, await db.ScalarAsync<long>(CountJournal));
        Assert.Equal(0L, await db.ScalarAsync<long>(CountOutbox));
        foreach (var t in tenants)
        {
            var view = await host.Admin().Get($"/v1/workspaces/{t.Workspace}/destinations/{t.Destination}");
            Assert.Equal(10, view.Json["delivery"]!["pending"]!.GetValue<int>());
        }
        await Eventually.True(() => postHog.Batches.Count >= 3, "every destination's send is in flight");
        Assert.Equal(1L, await db.ScalarAsync<long>(CountJournal));

        gate.SetResult();
        foreach (var t in tenants)
            await Eventually.True(() => postHog.EventsFor(t.Key).Count == 10, $"{t.Workspace} received its 10 events");
        await Eventually.Value(() => db.ScalarAsync<long>(CountJournal), n => n == 0, "the row is deleted once every event is delivered");
        Assert.Equal(0L, await db.ScalarAsync<long>(CountOutbox));
    }

    [Fact]
    public async Task A_failed_attempt_moves_held_events_into_the_outbox_and_frees_the_row()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await StartHostAsync(db);
        var failing = 1;
        postHog.BatchFault = _ => Volatile.Read(ref failing) == 1 ? new FakeAnswer(503) : null;
        var tenants = await ConfigureAsync(host.Admin(), postHog, 2);

        var ids = Spread(tenants, 20, "spill");
        Assert.Equal(202, (await host.Ingest().Post("/v1/traces", Body(ids))).Status);

        await Eventually.Value(() => db.ScalarAsync<long>(CountOutbox), n => n == 20, "both destinations moved their events into the outbox");
        await Eventually.Value(() => db.ScalarAsync<long>(CountJournal), n => n == 0, "the journal row is released");

        Volatile.Write(ref failing, 0);
        foreach (var t in tenants)
        {
            await Eventually.True(() => postHog.EventsFor(t.Key).Count >= 10, $"{t.Workspace} delivered after the retry");
            Assert.Equal(ids.Where(x => x.Workspace == t.Workspace).Select(x => x.Generation), postHog.EventsFor(t.Key).Select(SpanId));
        }
        await Eventually.Value(() => db.ScalarAsync<long>(CountOutbox), n => n == 0, "outbox drained");
    }

    [Fact]
    public async Task A_destination_that_pauses_moves_its_held_events_into_the_outbox()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await StartHostAsync(db);
        var tenants = await ConfigureAsync(host.Admin(), postHog, 1);
        // The key is revoked after the destination was saved: /batch/ and the re-test both answer 401.
        postHog.BatchFault = _ => new FakeAnswer(401);
        postHog.FlagsFault = _ => new FakeAnswer(401);

        Assert.Equal(202, (await host.Ingest().Post("/v1/traces", Body(Spread(tenants, 6, "paused")))).Status);

        await Eventually.Value(() => host.Admin().Get($"/v1/workspaces/{tenants[0].Workspace}/destinations/{tenants[0].Destination}"),
            v => v.Json["delivery"]!["state"]!.GetValue<string>() == "paused", "the destination paused");
        await Eventually.Value(() => db.ScalarAsync<long>(CountOutbox), n => n == 6, "the held events became outbox rows");
        await Eventually.Value(() => db.ScalarAsync<long>(CountJournal), n => n == 0, "the journal row is released");
    }

    [Fact]
    public async Task Events_held_longer_than_MaxHold_become_outbox_rows()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await StartHostAsync(db, new() { ["Broadcast:Journal:MaxHold"] = "00:00:00" });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        postHog.BatchFault = _ => new FakeAnswer(200, Hold: gate.Task);
        var tenants = await ConfigureAsync(host.Admin(), postHog, 1);

        Assert.Equal(202, (await host.Ingest().Post("/v1/traces", Body(Spread(tenants, 5, "aged")))).Status);
        await Eventually.True(() => postHog.Batches.Count >= 1, "the send is in flight");
        Assert.Equal(5L, await db.ScalarAsync<long>(CountOutbox));
        await Eventually.Value(() => db.ScalarAsync<long>(CountJournal), n => n == 0, "the journal row is released");

        gate.SetResult();
        await Eventually.True(() => postHog.EventsFor(tenants[0].Key).Count == 5, "delivered");
        await Eventually.Value(() => db.ScalarAsync<long>(CountOutbox), n => n == 0, "outbox drained");
    }

    [Fact]
    public async Task With_the_journal_off_every_event_is_an_outbox_row_before_the_202()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await StartHostAsync(db, new() { ["Broadcast:Journal:Enabled"] = "false" });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        postHog.BatchFault = _ => new FakeAnswer(200, Hold: gate.Task);
        var tenants = await ConfigureAsync(host.Admin(), postHog, 2);

        Assert.Equal(202, (await host.Ingest().Post("/v1/traces", Body(Spread(tenants, 8, "off")))).Status);
        Assert.Equal(8L, await db.ScalarAsync<long>(CountOutbox));
        Assert.Equal(0L, await db.ScalarAsync<long>(CountJournal));
        gate.SetResult();
        foreach (var t in tenants) await Eventually.True(() => postHog.EventsFor(t.Key).Count == 4, "delivered");
    }

    [Fact]
    public async Task Requests_held_only_in_the_journal_survive_kill_9_and_arrive_in_order()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        var expected = new List<(string Workspace, string Generation)>();
        List<Tenant> tenants;

        // A long linger: nothing is sent before the kill, so the events exist only as journal rows.
        var first = await SiloProcess.StartAsync("journaled", db.ConnectionString, clustered: false,
            new Dictionary<string, string> { ["Broadcast__Delivery__Linger"] = "00:10:00", ["Broadcast__Journal__MaxHold"] = "00:10:00" });
        try
        {
            tenants = await ConfigureAsync(first.Admin(), postHog, 3);
            for (var request = 0; request < 4; request++)
            {
                var ids = Spread(tenants, 60, $"k{request}");
                var r = await first.Ingest().Post("/v1/traces", Body(ids));
                Assert.Equal(202, r.Status);
                Assert.Equal(60, r.Json["queued"]!.GetValue<int>());
                expected.AddRange(ids);
            }
            Assert.Equal(4L, await db.ScalarAsync<long>(CountJournal));
            Assert.Equal(0L, await db.ScalarAsync<long>(CountOutbox));
        }
        finally
        {
            first.Kill();
            await first.DisposeAsync();
        }
        Assert.Empty(postHog.Batches);

        await using var second = await SiloProcess.StartAsync("replaying", db.ConnectionString, clustered: false);
        foreach (var t in tenants)
        {
            var want = expected.Where(x => x.Workspace == t.Workspace).Select(x => x.Generation).ToList();
            await Eventually.True(() => postHog.EventsFor(t.Key).Count >= want.Count, $"{t.Workspace}: all 80 events delivered after the restart", TimeSpan.FromSeconds(60));
            Assert.Equal(want, postHog.EventsFor(t.Key).Select(SpanId));
        }
        await Eventually.Value(() => db.ScalarAsync<long>(CountJournal), n => n == 0, "journal drained");
    }

    private sealed record Tenant(string Workspace, string Destination, string Key);

    private static Task<TestHost> StartHostAsync(TestDatabase db, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Broadcast:Storage"] = "Postgres",
            ["ConnectionStrings:Postgres"] = db.ConnectionString,
        };
        foreach (var (k, v) in extra ?? new()) settings[k] = v;
        return TestHost.StartAsync(settings);
    }

    private static async Task<List<Tenant>> ConfigureAsync(ApiClient admin, FakePostHog postHog, int count)
    {
        var tenants = new List<Tenant>();
        for (var i = 0; i < count; i++)
        {
            var ws = Ids.Workspace();
            var key = Ids.ApiKey();
            postHog.AcceptKey(key);
            Assert.Equal(200, (await admin.Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);
            var created = await admin.Post($"/v1/workspaces/{ws}/destinations",
                $$$"""{"type":"posthog","config":{"api_key":"{{{key}}}","endpoint":"{{{postHog.Endpoint}}}"}}""");
            Assert.Equal(201, created.Status);
            tenants.Add(new Tenant(ws, created.Json["id"]!.GetValue<string>(), key));
        }
        return tenants;
    }

    /// <summary>Records dealt round-robin over the tenants, so each request touches every one of them.</summary>
    private static List<(string Workspace, string Generation)> Spread(List<Tenant> tenants, int records, string prefix) =>
        Enumerable.Range(0, records).Select(i => (tenants[i % tenants.Count].Workspace, $"{prefix}-{i:D3}")).ToList();

    private static string Body(IEnumerable<(string Workspace, string Generation)> records) =>
        TraceJson.Array(records.Select(x => TraceJson.Minimal(x.Workspace, x.Generation)));

    private static string SpanId(System.Text.Json.Nodes.JsonObject e) => e["properties"]!["$ai_span_id"]!.GetValue<string>();
}
