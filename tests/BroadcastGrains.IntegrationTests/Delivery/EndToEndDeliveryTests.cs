using System.Text.Json.Nodes;
using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Delivery;

[Collection(ApiCollection.Name)]
public sealed class EndToEndDeliveryTests(ApiFixture fixture)
{
    [Fact]
    public async Task The_seed_example_arrives_with_every_mapped_property()
    {
        var (ws, dst, key) = await fixture.NewWorkspaceWithDestination();
        var generation = Ids.Generation();
        var r = await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Seed(ws, generation).ToJsonString());
        Assert.Equal(202, r.Status);
        Assert.Equal(1, r.Json["queued"]!.GetValue<int>());

        await Eventually.True(() => fixture.PostHog.EventsFor(key).Count == 1, "seed event delivered");
        var batch = fixture.PostHog.Batches.Single(b => b.ApiKey == key);
        Assert.True(batch.Gzipped);
        Assert.False(batch.Envelope["historical_migration"]!.GetValue<bool>());
        Assert.NotNull(batch.Envelope["sent_at"]);

        var e = batch.Events.Single();
        Assert.Equal("$ai_generation", e["event"]!.GetValue<string>());
        Assert.Equal(ExpectedUuid(ws, dst, generation), e["uuid"]!.GetValue<string>());
        Assert.Equal("user_12345", e["distinct_id"]!.GetValue<string>());
        Assert.Equal("2026-11-26T12:00:00.000Z", e["timestamp"]!.GetValue<string>());
        var p = e["properties"]!.AsObject();
        Assert.Equal(generation, S(p, "$ai_trace_id"));
        Assert.Equal(generation, S(p, "$ai_span_id"));
        Assert.Equal("Generate Recommendation", S(p, "$ai_span_name"));
        Assert.Equal("user_12345", S(p, "$ai_user"));
        Assert.Equal("session_abc", S(p, "$ai_session_id"));
        Assert.Equal("openai/gpt-4o-2024-08-06", S(p, "$ai_model"));
        Assert.Equal("OpenAI", S(p, "$ai_provider"));
        Assert.Equal("Recommend a product...", p["$ai_input"]![0]!["content"]!.GetValue<string>());
        Assert.Equal("Try...", p["$ai_output_choices"]![0]!["content"]!.GetValue<string>());
        Assert.Equal(194, p["$ai_input_tokens"]!.GetValue<int>());
        Assert.Equal(52, p["$ai_output_tokens"]!.GetValue<int>());
        Assert.Equal(0, p["$ai_cache_read_input_tokens"]!.GetValue<int>());
        Assert.Equal(0, p["$ai_cache_creation_input_tokens"]!.GetValue<int>());
        Assert.Equal(0, p["$ai_reasoning_tokens"]!.GetValue<int>());
        Assert.False(p["$ai_cache_reporting_exclusive"]!.GetValue<bool>());
        Assert.Equal(0.00123, p["$ai_total_cost_usd"]!.GetValue<double>());
        Assert.True(p["$ai_cost_passthrough"]!.GetValue<bool>());
        Assert.Equal(1.234, p["$ai_latency"]!.GetValue<double>());
        Assert.Equal(0.21, p["$ai_time_to_first_token"]!.GetValue<double>());
        Assert.Equal(200, p["$ai_http_status"]!.GetValue<int>());
        Assert.False(p["$ai_is_error"]!.GetValue<bool>());
        Assert.Equal("stop", S(p, "$ai_stop_reason"));
        Assert.Equal(0.7, p["$ai_temperature"]!.GetValue<double>());
        Assert.Equal(500, p["$ai_max_tokens"]!.GetValue<int>());
        Assert.False(p["$ai_stream"]!.GetValue<bool>());
        Assert.Empty(p["$ai_tools"]!.AsArray());
        Assert.Equal("Product Recommendations", S(p, "trace_name"));
        Assert.Equal("Generate Recommendation", S(p, "generation_name"));
        Assert.Equal("shopping-assistant", S(p, "feature"));
        Assert.Equal("variant_b", S(p, "ab_test_group"));
        Assert.Equal("broadcastgrains", S(p, "$ai_lib"));
        Assert.False(string.IsNullOrEmpty(S(p, "$ai_lib_version")));
        Assert.False(p.ContainsKey("$ai_parent_id"));
        Assert.False(p.ContainsKey("$ai_error"));
        Assert.DoesNotContain(p, kv => kv.Value is null);

        var view = await fixture.Host.Admin().Get($"/v1/workspaces/{ws}/destinations/{dst}");
        Assert.Equal(1, view.Json["delivery"]!["delivered"]!.GetValue<long>());
        Assert.NotNull(view.Json["delivery"]!["last_success_at"]);
    }

    [Fact]
    public async Task Privacy_mode_strips_exactly_input_and_output()
    {
        var plain = await fixture.NewWorkspaceWithDestination();
        var priv = await fixture.NewWorkspaceWithDestination(""","privacy_mode":true""");
        await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Array([
            TraceJson.Seed(plain.Workspace, "g-plain").ToJsonString(), TraceJson.Seed(priv.Workspace, "g-plain").ToJsonString()]));
        await Eventually.True(() => fixture.PostHog.EventsFor(plain.ApiKey).Count == 1 && fixture.PostHog.EventsFor(priv.ApiKey).Count == 1, "both delivered");

        var full = fixture.PostHog.EventsFor(plain.ApiKey)[0]["properties"]!.AsObject().Select(kv => kv.Key).ToHashSet();
        var stripped = fixture.PostHog.EventsFor(priv.ApiKey)[0]["properties"]!.AsObject().Select(kv => kv.Key).ToHashSet();
        full.ExceptWith(stripped);
        Assert.Equal(new HashSet<string> { "$ai_input", "$ai_output_choices" }, full);
        Assert.Contains("feature", stripped);
    }

    [Fact]
    public async Task Many_records_arrive_once_each_in_order_in_batches_of_at_most_500()
    {
        var (ws, _, key) = await fixture.NewWorkspaceWithDestination();
        var expected = new List<string>();
        for (var request = 0; request < 3; request++)
        {
            var ids = Enumerable.Range(0, 400).Select(i => $"g-{request:D2}-{i:D4}").ToList();
            expected.AddRange(ids);
            var r = await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Array(ids.Select(id => TraceJson.Minimal(ws, id))));
            Assert.Equal(400, r.Json["queued"]!.GetValue<int>());
        }
        await Eventually.True(() => fixture.PostHog.EventsFor(key).Count >= expected.Count, "1200 events delivered");
        var got = fixture.PostHog.EventsFor(key).Select(e => e["properties"]!["$ai_span_id"]!.GetValue<string>()).ToList();
        Assert.Equal(expected, got);
        Assert.All(fixture.PostHog.Batches.Where(b => b.ApiKey == key), b => Assert.InRange(b.Events.Count, 1, 500));
    }

    [Fact]
    public async Task Delete_stops_delivery()
    {
        var (ws, dst, key) = await fixture.NewWorkspaceWithDestination();
        await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, "before-delete"));
        await Eventually.True(() => fixture.PostHog.EventsFor(key).Count == 1, "first event delivered");

        Assert.Equal(204, (await fixture.Host.Admin().Delete($"/v1/workspaces/{ws}/destinations/{dst}")).Status);
        Assert.Equal(404, (await fixture.Host.Admin().Get($"/v1/workspaces/{ws}/destinations/{dst}")).Status);
        var after = await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, "after-delete"));
        Assert.Equal(0, after.Json["queued"]!.GetValue<int>());

        // A second destination proves the pipeline still runs; the deleted one must have received nothing more.
        var key2 = Ids.ApiKey();
        fixture.PostHog.AcceptKey(key2);
        var created = await fixture.Host.Admin().Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","config":{"api_key":"{{{key2}}}","endpoint":"{{{fixture.PostHog.Endpoint}}}"}}""");
        Assert.Equal(201, created.Status);
        await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, "to-second"));
        await Eventually.True(() => fixture.PostHog.EventsFor(key2).Count == 1, "second destination delivered");
        Assert.Single(fixture.PostHog.EventsFor(key));
    }

    [Fact]
    public async Task Delete_discards_pending_events()
    {
        var (ws, dst, key) = await fixture.NewWorkspaceWithDestination();
        fixture.PostHog.BatchFault = b => b.ApiKey == key ? new FakeAnswer(503) : null;
        try
        {
            await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, "stuck"));
            var path = $"/v1/workspaces/{ws}/destinations/{dst}";
            await Eventually.Value(() => fixture.Host.Admin().Get(path), v => v.Json["delivery"]!["consecutive_failures"]!.GetValue<int>() > 0, "destination retrying");
            Assert.Equal(204, (await fixture.Host.Admin().Delete(path)).Status);
            var attemptsAtDelete = fixture.PostHog.Batches.Count(b => b.ApiKey == key);
            fixture.PostHog.BatchFault = null;
            // Another workspace's delivery completing shows time has passed with the fault lifted.
            var other = await fixture.NewWorkspaceWithDestination();
            await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Minimal(other.Workspace, "other"));
            await Eventually.True(() => fixture.PostHog.EventsFor(other.ApiKey).Count == 1, "other delivered");
            Assert.Empty(fixture.PostHog.EventsFor(key));
            Assert.InRange(fixture.PostHog.Batches.Count(b => b.ApiKey == key), attemptsAtDelete, attemptsAtDelete + 1);
        }
        finally
        {
            fixture.PostHog.BatchFault = null;
        }
    }

    private static string S(JsonObject p, string name) => p[name]!.GetValue<string>();

    /// <summary>An independent UUIDv5 (RFC 4122, URL namespace) so the test does not trust the code it checks.</summary>
    private static string ExpectedUuid(string ws, string dst, string generation)
    {
        var ns = Convert.FromHexString("6ba7b8119dad11d180b400c04fd430c8");
        var name = System.Text.Encoding.UTF8.GetBytes($"{ws}/{dst}/{generation}");
        var hash = System.Security.Cryptography.SHA1.HashData([.. ns, .. name]);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }
}
