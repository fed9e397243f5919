using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Operations;

[Collection(ApiCollection.Name)]
public sealed class OperabilityTests(ApiFixture fixture)
{
    [Fact]
    public async Task Metrics_are_exposed_for_prometheus()
    {
        var (ws, _, key) = await fixture.NewWorkspaceWithDestination();
        await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, "metric-1"));
        await fixture.Host.Ingest().Post("/v1/traces", "{broken");
        await Eventually.True(() => fixture.PostHog.EventsFor(key).Count == 1, "delivered");

        var metrics = await Eventually.Value(() => fixture.Host.Anonymous().Get("/metrics"),
            r => r.Body.Contains("broadcast_events_delivered_total") && r.Body.Contains("broadcast_runtime_threadpool_lag_seconds_bucket"),
            "delivered counter and the scheduling-lag probe exported");
        Assert.Equal(200, metrics.Status);
        foreach (var name in new[]
                 {
                     "broadcast_traces_received_total", "broadcast_traces_rejected_total", "broadcast_events_queued_total",
                     "broadcast_events_delivered_total", "broadcast_send_duration_seconds_bucket", "broadcast_backlog_events",
                     "broadcast_backlog_oldest_age_seconds", "broadcast_destinations_active",
                     "broadcast_ingest_dispatch_seconds_bucket", "http_server_request_duration_seconds_bucket",
                     "dotnet_gc_pause_time_seconds_total", "dotnet_gc_collections_total", "broadcast_runtime_threadpool_lag_seconds_bucket",
                 })
            Assert.Contains(name, metrics.Body);
        Assert.Contains("reason=\"invalid\"", metrics.Body);
        // Tenant ids never become labels: the series count must not grow with the number of workspaces.
        Assert.DoesNotContain(ws, metrics.Body);
    }

    [Fact]
    public async Task Dashboard_requires_the_admin_token()
    {
        Assert.Equal(401, (await fixture.Host.Anonymous().Get("/dashboard/")).Status);
        Assert.Equal(403, (await fixture.Host.Ingest().Get("/dashboard/")).Status);
        Assert.Equal(200, (await fixture.Host.Admin().Get("/dashboard/")).Status);
    }

    [Fact]
    public async Task Api_keys_never_reach_the_logs()
    {
        var (ws, dst, key) = await fixture.NewWorkspaceWithDestination();
        fixture.PostHog.BatchFault = b => b.ApiKey == key ? new FakeAnswer(401) : null;
        fixture.PostHog.FlagsFault = k => k == key ? new FakeAnswer(401) : null;
        try
        {
            await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, "secret-check"));
            await Eventually.Value(() => fixture.Host.Admin().Get($"/v1/workspaces/{ws}/destinations/{dst}"),
                v => v.Json["delivery"]!["state"]!.GetValue<string>() == "paused", "paused (and logged)");
            await fixture.Host.Admin().Post($"/v1/workspaces/{ws}/destinations/test",
                $$$"""{"type":"posthog","config":{"api_key":"{{{key}}}","endpoint":"{{{fixture.PostHog.Endpoint}}}"}}""");
        }
        finally
        {
            fixture.PostHog.BatchFault = null;
            fixture.PostHog.FlagsFault = null;
        }
        Assert.Contains(CapturedLogs.All, l => l.Contains("paused"));
        Assert.DoesNotContain(CapturedLogs.All, l => l.Contains(key));
    }
}

/// <summary>SIGTERM behaviour: stop taking traces, then deliver what is buffered within the grace period.</summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Buffered_events_are_sent_before_a_memory_mode_silo_stops()
    {
        await using var postHog = await FakePostHog.StartAsync();
        // A linger far longer than the test: without the shutdown flush nothing would be sent.
        var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Broadcast:Delivery:Linger"] = "00:10:00" });
        try
        {
            var (ws, key) = await Setup(host, postHog);
            var ids = Enumerable.Range(0, 50).Select(i => $"buffered-{i:D2}").ToList();
            var r = await host.Ingest().Post("/v1/traces", TraceJson.Array(ids.Select(id => TraceJson.Minimal(ws, id))));
            Assert.Equal(50, r.Json["queued"]!.GetValue<int>());
            Assert.Empty(postHog.EventsFor(key));

            await host.StopAsync();
            Assert.Equal(ids, postHog.EventsFor(key).Select(e => e["properties"]!["$ai_span_id"]!.GetValue<string>()));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task While_draining_traces_get_503_and_the_silo_is_not_ready()
    {
        await using var postHog = await FakePostHog.StartAsync();
        var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Broadcast:Shutdown:DrainDelay"] = "00:00:05" });
        try
        {
            var (ws, _) = await Setup(host, postHog);
            var stopping = host.StopAsync();
            var refused = await Eventually.Value(() => host.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, "late")),
                r => r.Status == 503, "503 while draining");
            Assert.Equal("application/problem+json", refused.ContentType);
            Assert.Equal(503, (await host.Anonymous().Get("/readyz")).Status);
            await stopping;
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static async Task<(string Workspace, string Key)> Setup(TestHost host, FakePostHog postHog)
    {
        var ws = Ids.Workspace();
        var key = Ids.ApiKey();
        postHog.AcceptKey(key);
        Assert.Equal(200, (await host.Admin().Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);
        var created = await host.Admin().Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","config":{"api_key":"{{{key}}}","endpoint":"{{{postHog.Endpoint}}}"}}""");
        Assert.Equal(201, created.Status);
        return (ws, key);
    }
}
