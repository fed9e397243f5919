using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Api;

[Collection(ApiCollection.Name)]
public sealed class TraceIngestTests(ApiFixture fixture)
{
    private ApiClient Ingest => fixture.Host.Ingest();

    [Fact]
    public async Task A_bad_record_is_400_naming_index_and_field_and_nothing_is_accepted()
    {
        var (ws, _, key) = await fixture.NewWorkspaceWithDestination();
        var good = TraceJson.Minimal(ws, Ids.Generation());
        var bad = $$$"""{"workspace_id":"{{{ws}}}","generation_id":"g","request":{"messages":[]}}""";
        var r = await Ingest.Post("/v1/traces", TraceJson.Array([good, bad]));
        Assert.Equal(400, r.Status);
        Assert.Equal("application/problem+json", r.ContentType);
        Assert.NotNull(r.Json["errors"]!["[1].request.model"]);

        // Proof that the good record was not accepted: a later record arrives alone.
        var marker = Ids.Generation();
        Assert.Equal(202, (await Ingest.Post("/v1/traces", TraceJson.Minimal(ws, marker))).Status);
        await Eventually.True(() => fixture.PostHog.EventsFor(key).Count > 0, "marker delivered");
        var events = fixture.PostHog.EventsFor(key);
        Assert.Single(events);
        Assert.Equal(marker, events[0]["properties"]!["$ai_span_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invalid_json_is_400_on_body()
    {
        var r = await Ingest.Post("/v1/traces", "{not json");
        Assert.Equal(400, r.Status);
        Assert.NotNull(r.Json["errors"]!["body"]);
    }

    [Fact]
    public async Task More_than_1000_records_is_413()
    {
        var records = Enumerable.Range(0, 1001).Select(i => TraceJson.Minimal("ws_big", "g" + i));
        var r = await Ingest.Post("/v1/traces", TraceJson.Array(records));
        Assert.Equal(413, r.Status);
        Assert.Equal("application/problem+json", r.ContentType);
    }

    [Fact]
    public async Task A_body_over_10_MB_is_413()
    {
        var huge = new string('x', 10 * 1024 * 1024);
        var r = await Ingest.Post("/v1/traces", $$$"""{"workspace_id":"ws_big","generation_id":"g","request":{"model":"m","prompt":"{{{huge}}}"}}""");
        Assert.Equal(413, r.Status);
    }

    [Fact]
    public async Task Broadcast_off_is_accepted_and_not_queued_or_sent()
    {
        var (ws, _, key) = await fixture.NewWorkspaceWithDestination();
        Assert.Equal(200, (await fixture.Host.Admin().Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": false}""")).Status);
        var off = await Ingest.Post("/v1/traces", TraceJson.Minimal(ws, "while-off"));
        Assert.Equal(202, off.Status);
        Assert.Equal(1, off.Json["accepted"]!.GetValue<int>());
        Assert.Equal(0, off.Json["queued"]!.GetValue<int>());

        Assert.Equal(200, (await fixture.Host.Admin().Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);
        var on = await Ingest.Post("/v1/traces", TraceJson.Minimal(ws, "while-on"));
        Assert.Equal(1, on.Json["queued"]!.GetValue<int>());
        await Eventually.True(() => fixture.PostHog.EventsFor(key).Count > 0, "event sent after broadcast on");
        Assert.Equal(["while-on"], fixture.PostHog.EventsFor(key).Select(e => e["properties"]!["$ai_span_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Records_of_several_workspaces_in_one_request_reach_each_workspace()
    {
        var a = await fixture.NewWorkspaceWithDestination();
        var b = await fixture.NewWorkspaceWithDestination();
        var noDestination = Ids.Workspace();
        var r = await Ingest.Post("/v1/traces", TraceJson.Array([
            TraceJson.Minimal(a.Workspace, "a1"), TraceJson.Minimal(b.Workspace, "b1"),
            TraceJson.Minimal(a.Workspace, "a2"), TraceJson.Minimal(noDestination, "n1")]));
        Assert.Equal(202, r.Status);
        Assert.Equal(4, r.Json["accepted"]!.GetValue<int>());
        Assert.Equal(3, r.Json["queued"]!.GetValue<int>());
        await Eventually.True(() => fixture.PostHog.EventsFor(a.ApiKey).Count == 2 && fixture.PostHog.EventsFor(b.ApiKey).Count == 1, "both workspaces delivered");
        Assert.Equal(["a1", "a2"], fixture.PostHog.EventsFor(a.ApiKey).Select(e => e["properties"]!["$ai_span_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Destination_changes_through_the_api_reach_ingest_at_once_although_routes_are_cached()
    {
        var (ws, first, firstKey) = await fixture.NewWorkspaceWithDestination();
        Assert.Equal(1, (await Ingest.Post("/v1/traces", TraceJson.Minimal(ws, "one-destination"))).Json["queued"]!.GetValue<int>());

        var secondKey = Ids.ApiKey();
        fixture.PostHog.AcceptKey(secondKey);
        var created = await fixture.Host.Admin().Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","config":{"api_key":"{{{secondKey}}}","endpoint":"{{{fixture.PostHog.Endpoint}}}"}}""");
        Assert.Equal(201, created.Status);
        Assert.Equal(2, (await Ingest.Post("/v1/traces", TraceJson.Minimal(ws, "two-destinations"))).Json["queued"]!.GetValue<int>());

        Assert.Equal(204, (await fixture.Host.Admin().Delete($"/v1/workspaces/{ws}/destinations/{first}")).Status);
        Assert.Equal(1, (await Ingest.Post("/v1/traces", TraceJson.Minimal(ws, "after-delete"))).Json["queued"]!.GetValue<int>());

        await Eventually.True(() => fixture.PostHog.EventsFor(secondKey).Count == 2, "second destination got both of its events");
        Assert.Equal(["two-destinations", "after-delete"], fixture.PostHog.EventsFor(secondKey).Select(e => e["properties"]!["$ai_span_id"]!.GetValue<string>()));
        Assert.DoesNotContain("after-delete", fixture.PostHog.EventsFor(firstKey).Select(e => e["properties"]!["$ai_span_id"]!.GetValue<string>()));
    }
}
