using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>Postgres mode with the host as a real process: config and accepted events survive restarts and kill -9.</summary>
public sealed class DurabilityTests
{
    [Fact]
    public async Task Config_survives_a_host_restart()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        var key = Ids.ApiKey();
        postHog.AcceptKey(key);
        var ws = Ids.Workspace();
        string id;

        await using (var first = await SiloProcess.StartAsync("first", db.ConnectionString, clustered: false))
        {
            Assert.Equal(200, (await first.Admin().Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);
            var created = await first.Admin().Post($"/v1/workspaces/{ws}/destinations",
                $$$"""{"type":"posthog","name":"kept","config":{"api_key":"{{{key}}}","endpoint":"{{{postHog.Endpoint}}}"},"privacy_mode":true,"sampling_rate":0.25}""");
            Assert.Equal(201, created.Status);
            id = created.Json["id"]!.GetValue<string>();
        }

        await using var second = await SiloProcess.StartAsync("second", db.ConnectionString, clustered: false);
        Assert.True((await second.Admin().Get($"/v1/workspaces/{ws}/broadcast")).Json["enabled"]!.GetValue<bool>());
        var got = await second.Admin().Get($"/v1/workspaces/{ws}/destinations/{id}");
        Assert.Equal(200, got.Status);
        Assert.Equal("kept", got.Json["name"]!.GetValue<string>());
        Assert.True(got.Json["privacy_mode"]!.GetValue<bool>());
        Assert.Equal(0.25, got.Json["sampling_rate"]!.GetValue<double>());
        var list = await second.Admin().Get($"/v1/workspaces/{ws}/destinations");
        Assert.Single(list.Json["destinations"]!.AsArray());
    }

    [Fact]
    public async Task Events_accepted_while_PostHog_is_down_survive_kill_9_and_arrive_in_order()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        var key = Ids.ApiKey();
        postHog.AcceptKey(key);
        var ws = Ids.Workspace();
        var expected = new List<string>();

        var first = await SiloProcess.StartAsync("doomed", db.ConnectionString, clustered: false);
        try
        {
            Assert.Equal(200, (await first.Admin().Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);
            Assert.Equal(201, (await first.Admin().Post($"/v1/workspaces/{ws}/destinations",
                $$$"""{"type":"posthog","config":{"api_key":"{{{key}}}","endpoint":"{{{postHog.Endpoint}}}"}}""")).Status);

            postHog.BatchFault = _ => new FakeAnswer(503);
            for (var request = 0; request < 10; request++)
            {
                var ids = Enumerable.Range(0, 100).Select(i => $"g-{request:D2}-{i:D3}").ToList();
                var r = await first.Ingest().Post("/v1/traces", TraceJson.Array(ids.Select(id => TraceJson.Minimal(ws, id))));
                Assert.Equal(202, r.Status);
                Assert.Equal(100, r.Json["queued"]!.GetValue<int>());
                expected.AddRange(ids);
            }
            await Eventually.True(() => postHog.Batches.Count(b => b.ApiKey == key) > 0, "a delivery attempt was refused");
            // Events of a request are first held under its journal row; the refused attempt moves them into the
            // outbox, and later requests go there directly while the destination backs off.
            await Eventually.Value(() => db.ScalarAsync<long>("SELECT count(*) FROM broadcast_outbox"), n => n == 1000, "all 1000 events in the outbox");
            await Eventually.Value(() => db.ScalarAsync<long>("SELECT count(*) FROM broadcast_ingest_journal"), n => n == 0, "no journal row left");
        }
        finally
        {
            first.Kill();
            await first.DisposeAsync();
        }
        Assert.Empty(postHog.EventsFor(key));

        postHog.BatchFault = null;
        await using var second = await SiloProcess.StartAsync("recovered", db.ConnectionString, clustered: false);
        await Eventually.True(() => postHog.EventsFor(key).Count >= expected.Count, "all 1000 events delivered after the restart", TimeSpan.FromSeconds(60));
        var got = postHog.EventsFor(key).Select(e => e["properties"]!["$ai_span_id"]!.GetValue<string>()).ToList();
        Assert.Equal(expected, got);
        await Eventually.Value(() => db.ScalarAsync<long>("SELECT count(*) FROM broadcast_outbox"), n => n == 0, "outbox drained");
    }
}
