using System.Text.Json.Nodes;
using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>
/// Prompt and completion text reaches the database only for destinations that send it (CONTRACT §8.3): checked with
/// pg_dump of every table while the sends hang (the journal row and held events exist) and after delivery.
/// </summary>
public sealed class PrivacyAtRestTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task No_private_text_in_a_dump_while_the_text_still_reaches_the_destinations_that_send_it(bool journal)
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Storage"] = "Postgres",
            ["ConnectionStrings:Postgres"] = db.ConnectionString,
            ["Broadcast:Journal:Enabled"] = journal ? "true" : "false",
        });
        var admin = host.Admin();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        postHog.BatchFault = _ => new FakeAnswer(200, Hold: gate.Task);

        // A private and a disabled destination; a workspace with broadcast off; a private and an open one side by side.
        var privateWs = Ids.Workspace();
        var privateKey = await AddAsync(admin, postHog, privateWs, """ "privacy_mode": true""");
        await AddAsync(admin, postHog, privateWs, """ "enabled": false""");
        var offWs = Ids.Workspace();
        await AddAsync(admin, postHog, offWs, """ "privacy_mode": false""");
        Assert.Equal(200, (await admin.Put($"/v1/workspaces/{offWs}/broadcast", """{"enabled": false}""")).Status);
        var mixedWs = Ids.Workspace();
        var mixedPrivateKey = await AddAsync(admin, postHog, mixedWs, """ "privacy_mode": true""");
        var mixedOpenKey = await AddAsync(admin, postHog, mixedWs, """ "privacy_mode": false""");

        var records = new JsonArray(
            Marked(privateWs, "p1", "PRIVATEMARKER"),
            Marked(offWs, "o1", "OFFMARKER"),
            Marked(mixedWs, "m1", "MIXEDMARKER"),
            Marked(privateWs, "p2", "PRIVATEMARKER"));
        var accepted = await host.Ingest().Post("/v1/traces", records.ToJsonString());
        Assert.Equal(202, accepted.Status);
        Assert.Equal(4, accepted.Json["queued"]!.GetValue<int>()); // p1, p2 once; m1 twice; o1 not at all

        // Right after the 202, with every send hanging: the held (or stored) events and the journal row exist.
        await Eventually.True(() => postHog.Batches.Count >= 3, "every destination's send is in flight");
        var during = await PgDump.TextAsync(db.ConnectionString);
        Assert.True(PgDump.Holds(during, "MIXEDMARKER"), "the dump shows what the open destination will send");
        Assert.False(PgDump.Holds(during, "PRIVATEMARKER"));
        Assert.False(PgDump.Holds(during, "OFFMARKER"));

        gate.SetResult();
        await Eventually.True(() => postHog.EventsFor(privateKey).Count == 2 && postHog.EventsFor(mixedOpenKey).Count == 1
            && postHog.EventsFor(mixedPrivateKey).Count == 1, "every queued event delivered");
        var open = postHog.EventsFor(mixedOpenKey)[0]["properties"]!;
        Assert.Contains("MIXEDMARKER", open["$ai_input"]!.ToJsonString());
        Assert.Contains("MIXEDMARKER", open["$ai_output_choices"]!.ToJsonString());
        Assert.Null(postHog.EventsFor(mixedPrivateKey)[0]["properties"]!["$ai_input"]);
        Assert.All(postHog.EventsFor(privateKey), e => Assert.Equal("stop", e["properties"]!["$ai_stop_reason"]!.GetValue<string>()));

        var after = await PgDump.TextAsync(db.ConnectionString);
        Assert.False(PgDump.Holds(after, "PRIVATEMARKER"));
        Assert.False(PgDump.Holds(after, "OFFMARKER"));
    }

    [Fact]
    public async Task Switching_privacy_mode_with_a_patch_changes_what_the_journal_keeps()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Storage"] = "Postgres",
            ["ConnectionStrings:Postgres"] = db.ConnectionString,
        });
        var admin = host.Admin();
        var ws = Ids.Workspace();
        var key = await AddAsync(admin, postHog, ws, """ "privacy_mode": false""");
        var id = (await admin.Get($"/v1/workspaces/{ws}/destinations")).Json["destinations"]![0]!["id"]!.GetValue<string>();
        var path = $"/v1/workspaces/{ws}/destinations/{id}";

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        postHog.BatchFault = _ => new FakeAnswer(200, Hold: gate.Task);
        Assert.Equal(200, (await admin.Patch(path, """{"privacy_mode": true}""")).Status);
        Assert.Equal(202, (await host.Ingest().Post("/v1/traces", Marked(ws, "while-private", "NOWPRIVATE").ToJsonString())).Status);
        await Eventually.True(() => postHog.Batches.Count >= 1, "the send is in flight");
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM broadcast_ingest_journal"));
        Assert.False(PgDump.Holds(await PgDump.TextAsync(db.ConnectionString), "NOWPRIVATE"));
        gate.SetResult();
        await Eventually.True(() => postHog.EventsFor(key).Count == 1, "delivered");
        Assert.Null(postHog.EventsFor(key)[0]["properties"]!["$ai_input"]);

        var again = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        postHog.BatchFault = _ => new FakeAnswer(200, Hold: again.Task);
        Assert.Equal(200, (await admin.Patch(path, """{"privacy_mode": false}""")).Status);
        Assert.Equal(202, (await host.Ingest().Post("/v1/traces", Marked(ws, "while-open", "NOWOPEN").ToJsonString())).Status);
        await Eventually.True(() => postHog.Batches.Count >= 2, "the second send is in flight");
        Assert.True(PgDump.Holds(await PgDump.TextAsync(db.ConnectionString), "NOWOPEN"), "text is kept again for a destination that sends it");
        again.SetResult();
        await Eventually.True(() => postHog.EventsFor(key).Count == 2, "delivered");
        Assert.Contains("NOWOPEN", postHog.EventsFor(key)[1]["properties"]!["$ai_input"]!.ToJsonString());
    }

    private static JsonObject Marked(string workspace, string generation, string marker)
    {
        var record = TraceJson.Seed(workspace, generation);
        record["request"]!["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"{marker} in the prompt" });
        record["response"]!["choices"]![0]!["message"] = new JsonObject { ["role"] = "assistant", ["content"] = $"{marker} in the answer" };
        return record;
    }

    private static async Task<string> AddAsync(ApiClient admin, FakePostHog postHog, string ws, string extra)
    {
        var key = Ids.ApiKey();
        postHog.AcceptKey(key);
        Assert.Equal(200, (await admin.Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);
        var created = await admin.Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","config":{"api_key":"{{{key}}}","endpoint":"{{{postHog.Endpoint}}}"},{{{extra}}}}""");
        Assert.True(created.Status == 201, created.ToString());
        return key;
    }
}
