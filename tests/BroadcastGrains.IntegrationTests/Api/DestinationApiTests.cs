using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Api;

[Collection(ApiCollection.Name)]
public sealed class DestinationApiTests(ApiFixture fixture)
{
    private ApiClient Admin => fixture.Host.Admin();

    [Fact]
    public async Task Broadcast_switch_defaults_off_and_round_trips()
    {
        var ws = Ids.Workspace();
        Assert.False((await Admin.Get($"/v1/workspaces/{ws}/broadcast")).Json["enabled"]!.GetValue<bool>());
        var put = await Admin.Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""");
        Assert.Equal(200, put.Status);
        Assert.True(put.Json["enabled"]!.GetValue<bool>());
        Assert.True((await Admin.Get($"/v1/workspaces/{ws}/broadcast")).Json["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Broadcast_switch_rejects_missing_or_mistyped_enabled()
    {
        var ws = Ids.Workspace();
        var missing = await Admin.Put($"/v1/workspaces/{ws}/broadcast", "{}");
        Assert.Equal(400, missing.Status);
        Assert.NotNull(missing.Json["errors"]!["enabled"]);
        var wrong = await Admin.Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": "yes"}""");
        Assert.Equal(400, wrong.Status);
        Assert.NotNull(wrong.Json["errors"]!["enabled"]);
    }

    [Fact]
    public async Task Invalid_workspace_id_is_400()
    {
        var r = await Admin.Get("/v1/workspaces/bad.id!/broadcast");
        Assert.Equal(400, r.Status);
        Assert.NotNull(r.Json["errors"]!["workspace_id"]);
    }

    [Fact]
    public async Task Create_runs_test_connection_and_shows_the_destination_with_a_masked_key()
    {
        var ws = Ids.Workspace();
        var key = Ids.ApiKey();
        fixture.PostHog.AcceptKey(key);
        var created = await Admin.Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","name":"Product analytics","config":{"api_key":"{{{key}}}","endpoint":"{{{fixture.PostHog.Endpoint}}}/"},"privacy_mode":true,"sampling_rate":0.5}""");
        Assert.Equal(201, created.Status);
        var id = created.Json["id"]!.GetValue<string>();
        Assert.StartsWith("dst_", id);
        Assert.Equal($"/v1/workspaces/{ws}/destinations/{id}", created.Location);

        var got = await Admin.Get($"/v1/workspaces/{ws}/destinations/{id}");
        Assert.Equal(200, got.Status);
        var d = got.Json;
        Assert.Equal("posthog", d["type"]!.GetValue<string>());
        Assert.Equal("Product analytics", d["name"]!.GetValue<string>());
        Assert.True(d["enabled"]!.GetValue<bool>());
        Assert.True(d["privacy_mode"]!.GetValue<bool>());
        Assert.Equal(0.5, d["sampling_rate"]!.GetValue<double>());
        Assert.Equal(key[..6] + "…" + key[^4..], d["config"]!["api_key"]!.GetValue<string>());
        Assert.Equal(fixture.PostHog.Endpoint, d["config"]!["endpoint"]!.GetValue<string>());
        Assert.DoesNotContain(key, got.Body);
        var delivery = d["delivery"]!;
        Assert.Equal("healthy", delivery["state"]!.GetValue<string>());
        Assert.Equal(0, delivery["pending"]!.GetValue<long>());
        Assert.Null(delivery["oldest_pending_age_seconds"]);
        Assert.True(delivery.AsObject().ContainsKey("oldest_pending_age_seconds"));
        foreach (var field in new[] { "delivered", "dead_lettered", "sampled_out", "consecutive_failures", "last_success_at", "last_error", "next_attempt_at" })
            Assert.True(delivery.AsObject().ContainsKey(field), field);
        Assert.NotNull(d["created_at"]);
        Assert.NotNull(d["updated_at"]);

        var list = await Admin.Get($"/v1/workspaces/{ws}/destinations");
        Assert.Equal(id, list.Json["destinations"]!.AsArray().Single()!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rejected_key_is_422_and_nothing_is_saved()
    {
        var ws = Ids.Workspace();
        var r = await Admin.Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","config":{"api_key":"phc_unknownkey123456","endpoint":"{{{fixture.PostHog.Endpoint}}}"}}""");
        Assert.Equal(422, r.Status);
        Assert.Equal("application/problem+json", r.ContentType);
        Assert.Contains("wrong key or wrong region", r.Json["detail"]!.GetValue<string>());
        Assert.Empty((await Admin.Get($"/v1/workspaces/{ws}/destinations")).Json["destinations"]!.AsArray());
    }

    [Fact]
    public async Task Unreachable_endpoint_is_422_naming_the_cause()
    {
        var port = TestHost.FreePort(); // nothing listens there
        var r = await Admin.Post($"/v1/workspaces/{Ids.Workspace()}/destinations/test",
            $$$"""{"type":"posthog","config":{"api_key":"phc_unknownkey123456","endpoint":"http://127.0.0.1:{{{port}}}"}}""");
        Assert.Equal(422, r.Status);
        Assert.Contains("refused", r.Json["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Test_endpoint_passes_for_a_known_key_and_saves_nothing()
    {
        var ws = Ids.Workspace();
        var key = Ids.ApiKey();
        fixture.PostHog.AcceptKey(key);
        var r = await Admin.Post($"/v1/workspaces/{ws}/destinations/test",
            $$$"""{"type":"posthog","config":{"api_key":"{{{key}}}","endpoint":"{{{fixture.PostHog.Endpoint}}}"}}""");
        Assert.Equal(200, r.Status);
        Assert.True(r.Json["ok"]!.GetValue<bool>());
        Assert.Empty((await Admin.Get($"/v1/workspaces/{ws}/destinations")).Json["destinations"]!.AsArray());
    }

    [Fact]
    public async Task Validation_errors_name_each_field()
    {
        var r = await Admin.Post($"/v1/workspaces/{Ids.Workspace()}/destinations",
            """{"type":"segment","config":{"api_key":"sk_123","endpoint":"ftp://x"},"sampling_rate":0}""");
        Assert.Equal(400, r.Status);
        Assert.Equal("application/problem+json", r.ContentType);
        var errors = r.Json["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("type"));
        Assert.True(errors.ContainsKey("config.api_key"));
        Assert.True(errors.ContainsKey("config.endpoint"));
        Assert.True(errors.ContainsKey("sampling_rate"));
    }

    [Fact]
    public async Task At_most_five_destinations()
    {
        var (ws, _, key) = await fixture.NewWorkspaceWithDestination();
        for (var i = 0; i < 4; i++)
        {
            var ok = await Admin.Post($"/v1/workspaces/{ws}/destinations",
                $$$"""{"type":"posthog","config":{"api_key":"{{{key}}}","endpoint":"{{{fixture.PostHog.Endpoint}}}"}}""");
            Assert.Equal(201, ok.Status);
        }
        var sixth = await Admin.Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","config":{"api_key":"{{{key}}}","endpoint":"{{{fixture.PostHog.Endpoint}}}"}}""");
        Assert.Equal(409, sixth.Status);
        Assert.Equal(5, (await Admin.Get($"/v1/workspaces/{ws}/destinations")).Json["destinations"]!.AsArray().Count);
    }

    [Fact]
    public async Task Patch_with_a_bad_key_is_422_and_changes_nothing_while_a_masked_key_is_ignored()
    {
        var (ws, id, key) = await fixture.NewWorkspaceWithDestination();
        var path = $"/v1/workspaces/{ws}/destinations/{id}";

        var bad = await Admin.Patch(path, """{"name":"renamed","config":{"api_key":"phc_rotatedbutwrong1"}}""");
        Assert.Equal(422, bad.Status);
        var after = await Admin.Get(path);
        Assert.Equal("Product analytics", after.Json["name"]!.GetValue<string>());

        var masked = after.Json["config"]!["api_key"]!.GetValue<string>();
        var flagsBefore = fixture.PostHog.FlagsRequests;
        var ok = await Admin.Patch(path, $$$"""{"name":"renamed","privacy_mode":true,"config":{"api_key":"{{{masked}}}"}}""");
        Assert.Equal(200, ok.Status);
        Assert.Equal("renamed", ok.Json["name"]!.GetValue<string>());
        Assert.True(ok.Json["privacy_mode"]!.GetValue<bool>());
        Assert.Equal(flagsBefore, fixture.PostHog.FlagsRequests); // the key did not change: no Test Connection
        Assert.Equal(key[^4..], ok.Json["config"]!["api_key"]!.GetValue<string>()[^4..]);
    }

    [Fact]
    public async Task Patch_to_another_host_must_carry_the_key_again()
    {
        var (ws, id, key) = await fixture.NewWorkspaceWithDestination();
        var path = $"/v1/workspaces/{ws}/destinations/{id}";
        await using var other = await FakePostHog.StartAsync();
        other.AcceptKey(key);

        var refused = await Admin.Patch(path, $$$"""{"config":{"endpoint":"{{{other.Endpoint}}}"}}""");
        Assert.Equal(400, refused.Status);
        Assert.NotNull(refused.Json["errors"]!["config.api_key"]);
        Assert.Equal(0, other.FlagsRequests); // the stored key never reached the new host
        Assert.Equal(fixture.PostHog.Endpoint, (await Admin.Get(path)).Json["config"]!["endpoint"]!.GetValue<string>());

        var moved = await Admin.Patch(path, $$$"""{"config":{"endpoint":"{{{other.Endpoint}}}","api_key":"{{{key}}}"}}""");
        Assert.Equal(200, moved.Status);
        Assert.Equal(other.Endpoint, moved.Json["config"]!["endpoint"]!.GetValue<string>());
        Assert.Equal(1, other.FlagsRequests);
    }

    [Fact]
    public async Task Unknown_destination_is_404()
    {
        var ws = Ids.Workspace();
        Assert.Equal(404, (await Admin.Get($"/v1/workspaces/{ws}/destinations/dst_nope")).Status);
        Assert.Equal(404, (await Admin.Delete($"/v1/workspaces/{ws}/destinations/dst_nope")).Status);
        Assert.Equal(404, (await Admin.Patch($"/v1/workspaces/{ws}/destinations/dst_nope", """{"name":"x"}""")).Status);
    }
}
