using System.Text.Json.Nodes;
using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Delivery;

/// <summary>Backlog bound and expiry need their own host with small limits.</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task Past_the_memory_budget_ingest_answers_503_with_Retry_After_and_takes_traces_again_once_delivered()
    {
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Memory:MaxBufferedBytes"] = "20000",
        });
        var ws = Ids.Workspace();
        var key = Ids.ApiKey();
        postHog.AcceptKey(key);
        postHog.BatchFault = _ => new FakeAnswer(503);
        Assert.Equal(200, (await host.Admin().Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);
        Assert.Equal(201, (await host.Admin().Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","config":{"api_key":"{{{key}}}","endpoint":"{{{postHog.Endpoint}}}"}}""")).Status);

        // PostHog is down, so every accepted event stays in memory until the budget is spent (about 1.5 KB each).
        var accepted = new List<string>();
        ApiResponse? refused = null;
        for (var i = 0; i < 100 && refused is null; i++)
        {
            var id = $"budget-{i}";
            var r = await host.Ingest().Post("/v1/traces", TraceJson.Seed(ws, id).ToJsonString());
            if (r.Status == 202) accepted.Add(id);
            else refused = r;
        }
        Assert.NotNull(refused);
        Assert.Equal(503, refused.Status);
        Assert.Equal("application/problem+json", refused.ContentType);
        Assert.True(refused.RetryAfter is > 0, refused.ToString());
        Assert.Equal("memory_budget", refused.Json["reason"]!.GetValue<string>());
        Assert.InRange(accepted.Count, 1, 20);

        // Once PostHog is back, everything accepted is delivered and the budget is free again.
        postHog.BatchFault = null;
        await Eventually.True(() => postHog.EventsFor(key).Count == accepted.Count, "every accepted event delivered");
        await Eventually.Value(() => host.Ingest().Post("/v1/traces", TraceJson.Seed(ws, "after").ToJsonString()), r => r.Status == 202, "ingest accepted again");
    }

    [Fact]
    public async Task Overflow_beyond_the_backlog_bound_is_dead_lettered_backlog_full_and_expired_events_expired()
    {
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Delivery:MaxBacklog"] = "5",
            ["Broadcast:Delivery:MaxEventAge"] = "00:00:01",
        });
        var ws = Ids.Workspace();
        var key = Ids.ApiKey();
        postHog.AcceptKey(key);
        postHog.BatchFault = _ => new FakeAnswer(503);
        Assert.Equal(200, (await host.Admin().Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);
        var created = await host.Admin().Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","config":{"api_key":"{{{key}}}","endpoint":"{{{postHog.Endpoint}}}"}}""");
        var dst = created.Json["id"]!.GetValue<string>();

        var r = await host.Ingest().Post("/v1/traces", TraceJson.Array(Enumerable.Range(0, 8).Select(i => TraceJson.Minimal(ws, $"g{i}"))));
        Assert.Equal(202, r.Status);
        Assert.Equal(8, r.Json["accepted"]!.GetValue<int>());
        Assert.Equal(5, r.Json["queued"]!.GetValue<int>());

        // The five queued events keep failing until they pass the one-second age limit.
        var path = $"/v1/workspaces/{ws}/destinations/{dst}";
        await Eventually.Value(() => host.Admin().Get(path), v => v.Json["delivery"]!["dead_lettered"]!.GetValue<long>() == 8, "all dead-lettered");
        var letters = (await host.Admin().Get(path + "/dead-letters?limit=100")).Json["dead_letters"]!.AsArray();
        var reasons = letters.GroupBy(l => l!["reason"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, reasons["backlog_full"]);
        Assert.Equal(5, reasons["expired"]);
        Assert.Empty(postHog.EventsFor(key));
        Assert.Equal(0, (await host.Admin().Get(path)).Json["delivery"]!["pending"]!.GetValue<long>());

        var limited = await host.Admin().Get(path + "/dead-letters?limit=2");
        Assert.Equal(2, limited.Json["dead_letters"]!.AsArray().Count);
        Assert.Equal(400, (await host.Admin().Get(path + "/dead-letters?limit=0")).Status);
    }

    [Fact]
    public async Task Sampling_drops_whole_sessions_and_counts_them()
    {
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await TestHost.StartAsync();
        var ws = Ids.Workspace();
        var key = Ids.ApiKey();
        postHog.AcceptKey(key);
        await host.Admin().Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""");
        var created = await host.Admin().Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","sampling_rate":0.5,"config":{"api_key":"{{{key}}}","endpoint":"{{{postHog.Endpoint}}}"}}""");
        var dst = created.Json["id"]!.GetValue<string>();

        var records = Enumerable.Range(0, 200).Select(i =>
            $$$"""{"workspace_id":"{{{ws}}}","generation_id":"g{{{i}}}","request":{"model":"m","session_id":"s{{{i % 20}}}"}}""");
        var r = await host.Ingest().Post("/v1/traces", TraceJson.Array(records));
        var queued = r.Json["queued"]!.GetValue<int>();
        Assert.InRange(queued, 10, 190); // 20 sessions of 10: some kept, some dropped, never split

        await Eventually.True(() => postHog.EventsFor(key).Count == queued, "kept events delivered");
        var sessions = postHog.EventsFor(key).GroupBy(e => e["properties"]!["$ai_session_id"]!.GetValue<string>());
        Assert.All(sessions, s => Assert.Equal(10, s.Count()));
        var view = (await host.Admin().Get($"/v1/workspaces/{ws}/destinations/{dst}")).Json["delivery"]!;
        Assert.Equal(200 - queued, view["sampled_out"]!.GetValue<long>());
    }
}
