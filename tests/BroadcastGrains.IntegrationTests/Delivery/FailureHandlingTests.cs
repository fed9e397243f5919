using System.Text.Json.Nodes;
using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Delivery;

/// <summary>CONTRACT §7 row by row: what PostHog finally holds after each kind of failure.</summary>
[Collection(ApiCollection.Name)]
public sealed class FailureHandlingTests(ApiFixture fixture) : IDisposable
{
    private FakePostHog PostHog => fixture.PostHog;

    public void Dispose()
    {
        PostHog.BatchFault = null;
        PostHog.FlagsFault = null;
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Transient_statuses_are_retried_until_delivered_once_each_in_order(int status)
    {
        var (ws, dst, key) = await fixture.NewWorkspaceWithDestination();
        var failures = 0;
        PostHog.BatchFault = b => b.ApiKey == key && Interlocked.Increment(ref failures) <= 3 ? new FakeAnswer(status) : null;
        var ids = await Send(ws, 30);
        await Eventually.True(() => PostHog.EventsFor(key).Count >= ids.Count, "delivered after retries");
        Assert.Equal(ids, SpanIds(key));
        Assert.True(PostHog.Batches.Count(b => b.ApiKey == key && !b.Accepted) >= 3);
        // The fake has the events as soon as it answers; the destination books the success a moment later.
        var view = await Eventually.Value(() => View(ws, dst), v => v["delivered"]!.GetValue<long>() == 30, "the delivery booked");
        Assert.Equal("healthy", view["state"]!.GetValue<string>());
        Assert.Equal(0, view["consecutive_failures"]!.GetValue<int>());
    }

    [Fact]
    public async Task Retrying_state_is_visible_and_Retry_After_is_respected()
    {
        var (ws, dst, key) = await fixture.NewWorkspaceWithDestination();
        var refusals = new List<DateTime>();
        PostHog.BatchFault = b =>
        {
            if (b.ApiKey != key) return null;
            lock (refusals)
            {
                refusals.Add(DateTime.UtcNow);
                return refusals.Count == 1 ? new FakeAnswer(429, RetryAfter: TimeSpan.FromSeconds(2)) : null;
            }
        };
        await Send(ws, 1);
        var retrying = await Eventually.Value(() => View(ws, dst), v => v["state"]!.GetValue<string>() == "retrying", "retrying state");
        Assert.Equal(1, retrying["consecutive_failures"]!.GetValue<int>());
        Assert.NotNull(retrying["next_attempt_at"]);
        Assert.Contains("429", retrying["last_error"]!.GetValue<string>());
        Assert.Equal(1, retrying["pending"]!.GetValue<long>());

        await Eventually.True(() => PostHog.EventsFor(key).Count == 1, "delivered after Retry-After");
        lock (refusals) Assert.True(refusals[1] - refusals[0] >= TimeSpan.FromSeconds(1.9), "the retry came before Retry-After");
    }

    [Fact]
    public async Task Bad_request_isolates_the_bad_events_and_delivers_the_rest()
    {
        var (ws, dst, key) = await fixture.NewWorkspaceWithDestination();
        PostHog.BatchFault = b => b.ApiKey == key && b.Events.Any(e => SpanId(e).StartsWith("bad")) ? new FakeAnswer(400) : null;
        var records = Enumerable.Range(0, 20).Select(i => i is 3 or 14 ? $"bad-{i:D2}" : $"ok-{i:D2}").ToList();
        await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Array(records.Select(id => TraceJson.Minimal(ws, id))));

        await Eventually.Value(() => View(ws, dst), v => v["dead_lettered"]!.GetValue<long>() == 2 && v["pending"]!.GetValue<long>() == 0, "bad events dead-lettered");
        Assert.Equal(records.Where(r => r.StartsWith("ok")), SpanIds(key));
        var letters = await DeadLetters(ws, dst);
        Assert.Equal(["bad-03", "bad-14"], letters.Select(l => l["generation_id"]!.GetValue<string>()).Order());
        Assert.All(letters, l =>
        {
            Assert.Equal("rejected", l["reason"]!.GetValue<string>());
            Assert.Equal(400, l["status"]!.GetValue<int>());
            Assert.True(l["attempts"]!.GetValue<int>() >= 1);
            Assert.NotNull(l["failed_at"]);
        });
    }

    [Fact]
    public async Task Payload_too_large_splits_and_a_lone_oversized_event_is_dead_lettered()
    {
        var (ws, dst, key) = await fixture.NewWorkspaceWithDestination();
        // Stands in for PostHog's request size limit: more than 4 events, or the "huge" one, is too much.
        PostHog.BatchFault = b => b.ApiKey == key && (b.Events.Count > 4 || b.Events.Any(e => SpanId(e) == "huge")) ? new FakeAnswer(413) : null;
        var records = Enumerable.Range(0, 12).Select(i => i == 7 ? "huge" : $"ok-{i:D2}").ToList();
        await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Array(records.Select(id => TraceJson.Minimal(ws, id))));

        await Eventually.Value(() => View(ws, dst), v => v["dead_lettered"]!.GetValue<long>() == 1 && v["pending"]!.GetValue<long>() == 0, "oversized event dead-lettered");
        Assert.Equal(records.Where(r => r != "huge"), SpanIds(key));
        Assert.All(PostHog.Batches.Where(b => b.ApiKey == key && b.Accepted), b => Assert.InRange(b.Events.Count, 1, 4));
        var letter = Assert.Single(await DeadLetters(ws, dst));
        Assert.Equal("huge", letter["generation_id"]!.GetValue<string>());
        Assert.Equal("too_large", letter["reason"]!.GetValue<string>());
        Assert.Equal(413, letter["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_rotated_key_pauses_keeps_the_backlog_and_a_patched_key_delivers_it_in_order()
    {
        var (ws, dst, oldKey) = await fixture.NewWorkspaceWithDestination();
        PostHog.BatchFault = b => b.ApiKey == oldKey ? new FakeAnswer(401) : null;
        PostHog.FlagsFault = k => k == oldKey ? new FakeAnswer(401) : null;
        var ids = await Send(ws, 25);

        var paused = await Eventually.Value(() => View(ws, dst), v => v["state"]!.GetValue<string>() == "paused", "paused");
        Assert.Equal(25, paused["pending"]!.GetValue<long>());
        Assert.Empty(PostHog.EventsFor(oldKey));
        // While paused, new events are still accepted and kept.
        ids.AddRange(await Send(ws, 5, "late"));

        var newKey = Ids.ApiKey();
        PostHog.AcceptKey(newKey);
        var patched = await fixture.Host.Admin().Patch($"/v1/workspaces/{ws}/destinations/{dst}", $$$"""{"config":{"api_key":"{{{newKey}}}"}}""");
        Assert.Equal(200, patched.Status);

        await Eventually.True(() => PostHog.EventsFor(newKey).Count >= ids.Count, "backlog delivered with the new key");
        Assert.Equal(ids, SpanIds(newKey));
        Assert.Empty(PostHog.EventsFor(oldKey));
        Assert.Equal("healthy", (await View(ws, dst))["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_paused_destination_resumes_by_itself_once_its_key_works_again()
    {
        var (ws, dst, key) = await fixture.NewWorkspaceWithDestination();
        var revoked = true;
        PostHog.BatchFault = b => b.ApiKey == key && Volatile.Read(ref revoked) ? new FakeAnswer(403) : null;
        PostHog.FlagsFault = k => k == key && Volatile.Read(ref revoked) ? new FakeAnswer(401) : null;
        var ids = await Send(ws, 10);
        await Eventually.Value(() => View(ws, dst), v => v["state"]!.GetValue<string>() == "paused", "paused");
        var checksWhilePaused = PostHog.FlagsRequests;
        await Eventually.True(() => PostHog.FlagsRequests > checksWhilePaused, "the paused destination re-checks its key");

        Volatile.Write(ref revoked, false);
        await Eventually.True(() => PostHog.EventsFor(key).Count >= ids.Count, "delivered after the key works again");
        Assert.Equal(ids, SpanIds(key));
    }

    [Fact]
    public async Task Dead_letters_can_be_replayed()
    {
        var (ws, dst, key) = await fixture.NewWorkspaceWithDestination();
        var reject = true;
        PostHog.BatchFault = b => b.ApiKey == key && Volatile.Read(ref reject) ? new FakeAnswer(400) : null;
        var ids = await Send(ws, 3);
        await Eventually.Value(() => View(ws, dst), v => v["dead_lettered"]!.GetValue<long>() == 3, "all rejected");
        Assert.Empty(PostHog.EventsFor(key));

        Volatile.Write(ref reject, false);
        var replay = await fixture.Host.Admin().Post($"/v1/workspaces/{ws}/destinations/{dst}/dead-letters/replay", "");
        Assert.Equal(202, replay.Status);
        Assert.Equal(3, replay.Json["requeued"]!.GetValue<int>());
        await Eventually.True(() => PostHog.EventsFor(key).Count == 3, "replayed events delivered");
        Assert.Equal(ids, SpanIds(key));
        Assert.Empty(await DeadLetters(ws, dst));
    }

    [Fact]
    public async Task A_hanging_and_a_failing_destination_do_not_delay_a_healthy_one()
    {
        var hanging = await fixture.NewWorkspaceWithDestination();
        var failing = await fixture.NewWorkspaceWithDestination();
        var healthy = await fixture.NewWorkspaceWithDestination();
        var release = new TaskCompletionSource();
        PostHog.BatchFault = b =>
            b.ApiKey == hanging.ApiKey ? new FakeAnswer(200, Delay: TimeSpan.FromSeconds(20)) :
            b.ApiKey == failing.ApiKey ? new FakeAnswer(503) : null;

        await Send(hanging.Workspace, 5);
        await Send(failing.Workspace, 5);
        await Eventually.True(() => PostHog.Batches.Any(b => b.ApiKey == hanging.ApiKey), "the hanging request is in flight");
        var healthyIds = await Send(healthy.Workspace, 5);

        await Eventually.True(() => PostHog.EventsFor(healthy.ApiKey).Count == 5, "healthy destination delivered");
        Assert.Equal(healthyIds, SpanIds(healthy.ApiKey));
        // Measured at the moment the healthy events arrived: the other two were still stuck.
        Assert.Empty(PostHog.EventsFor(failing.ApiKey));
        Assert.Equal(5, (await View(hanging.Workspace, hanging.DestinationId))["pending"]!.GetValue<long>());
        Assert.Equal(5, (await View(failing.Workspace, failing.DestinationId))["pending"]!.GetValue<long>());
    }

    private async Task<List<string>> Send(string ws, int count, string prefix = "g")
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{prefix}-{i:D3}").ToList();
        var r = await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Array(ids.Select(id => TraceJson.Minimal(ws, id))));
        Assert.True(r.Status == 202, r.ToString());
        return ids;
    }

    private async Task<JsonNode> View(string ws, string dst) =>
        (await fixture.Host.Admin().Get($"/v1/workspaces/{ws}/destinations/{dst}")).Json["delivery"]!;

    private async Task<List<JsonNode>> DeadLetters(string ws, string dst) =>
        (await fixture.Host.Admin().Get($"/v1/workspaces/{ws}/destinations/{dst}/dead-letters")).Json["dead_letters"]!.AsArray().Select(n => n!).ToList();

    private List<string> SpanIds(string key) => PostHog.EventsFor(key).Select(SpanId).ToList();

    private static string SpanId(JsonObject e) => e["properties"]!["$ai_span_id"]!.GetValue<string>();
}
