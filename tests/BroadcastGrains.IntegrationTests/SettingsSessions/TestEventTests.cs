using System.Text.Json.Nodes;
using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.SettingsSessions;

/// <summary>CONTRACT §8.4: "Send test trace" reaches that destination only, through the normal path, and is counted.</summary>
[Collection(ApiCollection.Name)]
public sealed class TestEventTests(ApiFixture fixture)
{
    private TestHost Host => fixture.Host;

    private async Task<ApiClient> Tenant(string ws)
    {
        var r = await Host.Admin().Post($"/v1/workspaces/{ws}/settings-sessions", "{}");
        Assert.Equal(201, r.Status);
        return Host.WithToken(r.Json["token"]!.GetValue<string>());
    }

    private async Task<(string Id, string Key)> AddDestination(string ws, string extra = "")
    {
        var key = Ids.ApiKey();
        fixture.PostHog.AcceptKey(key);
        var r = await Host.Admin().Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","name":"Second","config":{"api_key":"{{{key}}}","endpoint":"{{{fixture.PostHog.Endpoint}}}"}{{{extra}}}}""");
        Assert.True(r.Status == 201, r.ToString());
        return (r.Json["id"]!.GetValue<string>(), key);
    }

    private static JsonObject? EventOf(IEnumerable<JsonObject> events, string generationId) =>
        events.FirstOrDefault(e => e["properties"]!["$ai_span_id"]?.GetValue<string>() == generationId);

    [Fact]
    public async Task A_test_trace_reaches_that_destination_only_and_is_counted()
    {
        var (ws, destination, key) = await fixture.NewWorkspaceWithDestination();
        var (second, secondKey) = await AddDestination(ws);
        var tenant = await Tenant(ws);

        var r = await tenant.Post($"/v1/workspaces/{ws}/destinations/{destination}/test-event", "{}");
        Assert.Equal(202, r.Status);
        var generation = r.Json["generation_id"]!.GetValue<string>();
        Assert.StartsWith("broadcast-test-", generation);

        await Eventually.True(() => EventOf(fixture.PostHog.EventsFor(key), generation) is not null, "the test trace delivered");
        var e = EventOf(fixture.PostHog.EventsFor(key), generation)!;
        Assert.Equal("$ai_generation", e["event"]!.GetValue<string>());
        var p = e["properties"]!.AsObject();
        Assert.Equal("BroadcastGrains test trace", p["trace_name"]!.GetValue<string>());
        Assert.True(p["broadcast_test"]!.GetValue<bool>());
        Assert.Equal("broadcastgrains-test", e["distinct_id"]!.GetValue<string>());
        Assert.NotNull(p["$ai_input"]);

        var counted = await Eventually.Value(() => tenant.Get($"/v1/workspaces/{ws}/destinations/{destination}"),
            d => d.Json["delivery"]!["delivered"]!.GetValue<long>() == 1, "the delivered count rises to 1");
        Assert.Equal(0, counted.Json["delivery"]!["pending"]!.GetValue<long>());
        var other = await tenant.Get($"/v1/workspaces/{ws}/destinations/{second}");
        Assert.Equal(0, other.Json["delivery"]!["delivered"]!.GetValue<long>());
        Assert.Equal(0, other.Json["delivery"]!["pending"]!.GetValue<long>());
        Assert.Empty(fixture.PostHog.EventsFor(secondKey));
    }

    [Fact]
    public async Task Privacy_mode_applies_and_sampling_keeps_the_test_trace_at_the_lowest_rate()
    {
        var ws = Ids.Workspace();
        Assert.Equal(200, (await Host.Admin().Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);
        var (destination, key) = await AddDestination(ws, """, "privacy_mode": true, "sampling_rate": 0.0001""");

        var r = await Host.Admin().Post($"/v1/workspaces/{ws}/destinations/{destination}/test-event", "");
        Assert.Equal(202, r.Status);
        var generation = r.Json["generation_id"]!.GetValue<string>();

        await Eventually.True(() => EventOf(fixture.PostHog.EventsFor(key), generation) is not null, "the sampled test trace delivered");
        var p = EventOf(fixture.PostHog.EventsFor(key), generation)!["properties"]!.AsObject();
        Assert.Null(p["$ai_input"]);
        Assert.Null(p["$ai_output_choices"]);
        Assert.DoesNotContain("Does it reach PostHog", p.ToJsonString());
        var view = await Host.Admin().Get($"/v1/workspaces/{ws}/destinations/{destination}");
        Assert.Equal(0, view.Json["delivery"]!["sampled_out"]!.GetValue<long>());
    }

    [Fact]
    public async Task Broadcast_off_or_a_disabled_destination_is_409_with_a_sentence_and_sends_nothing()
    {
        var (ws, destination, key) = await fixture.NewWorkspaceWithDestination();
        var tenant = await Tenant(ws);

        Assert.Equal(200, (await tenant.Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": false}""")).Status);
        var off = await tenant.Post($"/v1/workspaces/{ws}/destinations/{destination}/test-event", "{}");
        Assert.Equal(409, off.Status);
        Assert.Equal("application/problem+json", off.ContentType);
        Assert.Contains("Enable Broadcast", off.Json["detail"]!.GetValue<string>());

        Assert.Equal(200, (await tenant.Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);
        Assert.Equal(200, (await tenant.Patch($"/v1/workspaces/{ws}/destinations/{destination}", """{"enabled": false}""")).Status);
        var disabled = await tenant.Post($"/v1/workspaces/{ws}/destinations/{destination}/test-event", "{}");
        Assert.Equal(409, disabled.Status);
        Assert.Contains("disabled", disabled.Json["detail"]!.GetValue<string>());

        var view = await tenant.Get($"/v1/workspaces/{ws}/destinations/{destination}");
        Assert.Equal(0, view.Json["delivery"]!["pending"]!.GetValue<long>());
        Assert.Equal(0, view.Json["delivery"]!["delivered"]!.GetValue<long>());
        Assert.Empty(fixture.PostHog.EventsFor(key));
    }

    [Fact]
    public async Task Unknown_destinations_are_404_and_other_workspaces_403()
    {
        var (ws, destination, _) = await fixture.NewWorkspaceWithDestination();
        var (other, otherDestination, otherKey) = await fixture.NewWorkspaceWithDestination();
        var tenant = await Tenant(ws);

        var missing = await tenant.Post($"/v1/workspaces/{ws}/destinations/dst_doesnotexist/test-event", "{}");
        Assert.Equal(404, missing.Status);
        Assert.Equal("application/problem+json", missing.ContentType);
        Assert.Equal(404, (await tenant.Post($"/v1/workspaces/{ws}/destinations/not.an.id/test-event", "{}")).Status);
        // A destination of another workspace is not found through this one's route.
        Assert.Equal(404, (await tenant.Post($"/v1/workspaces/{ws}/destinations/{otherDestination}/test-event", "{}")).Status);
        Assert.Equal(403, (await tenant.Post($"/v1/workspaces/{other}/destinations/{otherDestination}/test-event", "{}")).Status);
        Assert.Equal(403, (await Host.Ingest().Post($"/v1/workspaces/{ws}/destinations/{destination}/test-event", "{}")).Status);
        Assert.Empty(fixture.PostHog.EventsFor(otherKey));
    }
}
