using System.Net.Http.Headers;
using BroadcastGrains.Host.SettingsSessions;
using BroadcastGrains.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BroadcastGrains.IntegrationTests.SettingsSessions;

/// <summary>CONTRACT §8.4: settings sessions, and what a settings token may and may not open.</summary>
[Collection(ApiCollection.Name)]
public sealed class SettingsSessionTests(ApiFixture fixture)
{
    private TestHost Host => fixture.Host;

    private async Task<string> NewToken(string ws, string body = "{}")
    {
        var r = await Host.Admin().Post($"/v1/workspaces/{ws}/settings-sessions", body);
        Assert.True(r.Status == 201, r.ToString());
        return r.Json["token"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_session_answers_token_url_and_expiry()
    {
        var ws = Ids.Workspace();
        var before = DateTimeOffset.UtcNow;
        var r = await Host.Admin().Post($"/v1/workspaces/{ws}/settings-sessions", "{}");

        Assert.Equal(201, r.Status);
        Assert.Equal("application/json", r.ContentType);
        var token = r.Json["token"]!.GetValue<string>();
        Assert.Matches("^bgs_[A-Za-z0-9_-]+$", token);
        Assert.DoesNotContain(ws, token);
        // The token only in the fragment: browsers never send it, so no server log or Referer carries it.
        Assert.Equal($"/settings/{ws}#token={token}", r.Json["url"]!.GetValue<string>());
        var expiresText = r.Json["expires_at"]!.GetValue<string>();
        Assert.EndsWith("Z", expiresText);
        var expires = DateTimeOffset.Parse(expiresText, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, before.AddSeconds(3599), DateTimeOffset.UtcNow.AddSeconds(3600));

        var shortOne = await Host.Admin().Post($"/v1/workspaces/{ws}/settings-sessions", """{"ttl_seconds": 60}""");
        Assert.Equal(201, shortOne.Status);
        Assert.InRange(DateTimeOffset.Parse(shortOne.Json["expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            before.AddSeconds(59), DateTimeOffset.UtcNow.AddSeconds(60));

        // No body at all is the same as {}.
        var bare = await Host.Admin().Send(HttpMethod.Post, $"/v1/workspaces/{ws}/settings-sessions", null);
        Assert.Equal(201, bare.Status);
    }

    [Theory]
    [InlineData("""{"ttl_seconds": 59}""")]
    [InlineData("""{"ttl_seconds": 86401}""")]
    [InlineData("""{"ttl_seconds": 0}""")]
    [InlineData("""{"ttl_seconds": -3600}""")]
    [InlineData("""{"ttl_seconds": 1.5}""")]
    [InlineData("""{"ttl_seconds": "3600"}""")]
    [InlineData("""{"ttl_seconds": 1e300}""")]
    public async Task A_ttl_out_of_bounds_or_not_an_integer_is_400_naming_ttl_seconds(string body)
    {
        var r = await Host.Admin().Post($"/v1/workspaces/{Ids.Workspace()}/settings-sessions", body);
        Assert.Equal(400, r.Status);
        Assert.Equal("application/problem+json", r.ContentType);
        Assert.NotNull(r.Json["errors"]!["ttl_seconds"]);
    }

    [Fact]
    public async Task Bodies_that_are_not_json_objects_and_bad_workspace_ids_are_400()
    {
        Assert.Equal(400, (await Host.Admin().Post($"/v1/workspaces/{Ids.Workspace()}/settings-sessions", "{")).Status);
        var badWs = await Host.Admin().Post("/v1/workspaces/bad.ws/settings-sessions", "{}");
        Assert.Equal(400, badWs.Status);
        Assert.NotNull(badWs.Json["errors"]!["workspace_id"]);
    }

    [Fact]
    public async Task A_settings_token_opens_its_own_workspace_and_nothing_else()
    {
        var (ws, destination, _) = await fixture.NewWorkspaceWithDestination();
        var (other, otherDestination, _) = await fixture.NewWorkspaceWithDestination();
        var tenant = Host.WithToken(await NewToken(ws));

        Assert.Equal(200, (await tenant.Get($"/v1/workspaces/{ws}/broadcast")).Status);
        var list = await tenant.Get($"/v1/workspaces/{ws}/destinations");
        Assert.Equal(200, list.Status);
        Assert.Equal(destination, list.Json["destinations"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(200, (await tenant.Get($"/v1/workspaces/{ws}/destinations/{destination}")).Status);
        Assert.Equal(200, (await tenant.Get($"/v1/workspaces/{ws}/destinations/{destination}/dead-letters")).Status);
        Assert.Equal(200, (await tenant.Patch($"/v1/workspaces/{ws}/destinations/{destination}", """{"privacy_mode": true}""")).Status);
        Assert.Equal(200, (await tenant.Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);

        await AssertForbidden(tenant.Get($"/v1/workspaces/{other}/broadcast"));
        await AssertForbidden(tenant.Get($"/v1/workspaces/{other}/destinations"));
        await AssertForbidden(tenant.Get($"/v1/workspaces/{other}/destinations/{otherDestination}"));
        await AssertForbidden(tenant.Delete($"/v1/workspaces/{other}/destinations/{otherDestination}"));
        await AssertForbidden(tenant.Post("/v1/traces", TraceJson.Minimal(ws, "g-settings-token")));
        await AssertForbidden(tenant.Post($"/v1/workspaces/{ws}/settings-sessions", "{}"));
        await AssertForbidden(tenant.Delete($"/v1/workspaces/{ws}/settings-sessions"));
        // The other workspace was not touched through the refused calls.
        Assert.Equal(200, (await Host.Admin().Get($"/v1/workspaces/{other}/destinations/{otherDestination}")).Status);
    }

    [Fact]
    public async Task Admin_tokens_keep_working_everywhere_and_ingest_tokens_cannot_make_sessions()
    {
        var ws = Ids.Workspace();
        await NewToken(ws);
        Assert.Equal(200, (await Host.Admin().Get($"/v1/workspaces/{ws}/broadcast")).Status);
        await AssertForbidden(Host.Ingest().Post($"/v1/workspaces/{ws}/settings-sessions", "{}"));
        Assert.Equal(401, (await Host.Anonymous().Post($"/v1/workspaces/{ws}/settings-sessions", "{}")).Status);
    }

    [Fact]
    public async Task Revoking_refuses_every_earlier_token_at_once_and_later_tokens_work()
    {
        var ws = Ids.Workspace();
        var first = await NewToken(ws);
        var second = await NewToken(ws, """{"ttl_seconds": 86400}""");
        Assert.Equal(200, (await Host.WithToken(first).Get($"/v1/workspaces/{ws}/broadcast")).Status);

        Assert.Equal(204, (await Host.Admin().Delete($"/v1/workspaces/{ws}/settings-sessions")).Status);

        foreach (var revoked in new[] { first, second })
        {
            var (status, challenge, detail) = await Unauthorized(revoked, $"/v1/workspaces/{ws}/broadcast");
            Assert.Equal(401, status);
            Assert.Equal("Bearer", challenge);
            Assert.Contains("revoked", detail);
        }
        var later = await NewToken(ws);
        Assert.Equal(200, (await Host.WithToken(later).Get($"/v1/workspaces/{ws}/broadcast")).Status);

        // Another workspace's tokens are not affected.
        var other = Ids.Workspace();
        var otherToken = await NewToken(other);
        Assert.Equal(204, (await Host.Admin().Delete($"/v1/workspaces/{ws}/settings-sessions")).Status);
        Assert.Equal(200, (await Host.WithToken(otherToken).Get($"/v1/workspaces/{other}/broadcast")).Status);
        Assert.Equal(401, (await Host.WithToken(later).Get($"/v1/workspaces/{ws}/broadcast")).Status);
    }

    [Fact]
    public async Task An_expired_token_is_401()
    {
        var ws = Ids.Workspace();
        // The host's own codec and key ring, with an expiry already past: no waiting for a real one to run out.
        var codec = Host.Services.GetRequiredService<SettingsTokenCodec>();
        var expired = codec.Issue(ws, 0, TimeSpan.FromSeconds(-5), out _);
        var (status, challenge, detail) = await Unauthorized(expired, $"/v1/workspaces/{ws}/broadcast");
        Assert.Equal(401, status);
        Assert.Equal("Bearer", challenge);
        Assert.Contains("expired", detail);
        // The same codec with a future expiry is accepted: the refusal was the expiry, nothing else.
        Assert.Equal(200, (await Host.WithToken(codec.Issue(ws, 0, TimeSpan.FromMinutes(1), out _)).Get($"/v1/workspaces/{ws}/broadcast")).Status);
    }

    [Theory]
    [InlineData("bgs_")]
    [InlineData("bgs_garbage")]
    [InlineData("bgs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("bgs_%%%%")]
    public async Task Garbage_settings_tokens_are_401(string token)
    {
        var (status, challenge, _) = await Unauthorized(token, "/v1/workspaces/ws_a/broadcast");
        Assert.Equal(401, status);
        Assert.Equal("Bearer", challenge);
    }

    [Fact]
    public async Task A_tampered_token_is_401_and_no_token_reaches_the_logs()
    {
        var ws = Ids.Workspace();
        var token = await NewToken(ws);
        var tampered = token[..20] + (token[20] == 'A' ? 'B' : 'A') + token[21..];
        Assert.Equal(401, (await Host.WithToken(tampered).Get($"/v1/workspaces/{ws}/broadcast")).Status);
        Assert.Equal(200, (await Host.WithToken(token).Get($"/v1/workspaces/{ws}/broadcast")).Status);
        Assert.Equal(403, (await Host.WithToken(token).Get($"/v1/workspaces/{Ids.Workspace()}/broadcast")).Status);
        Assert.Equal(403, (await Host.WithToken(token).Post("/v1/traces", TraceJson.Minimal(ws, "g-log"))).Status);
        Assert.Equal(204, (await Host.Admin().Delete($"/v1/workspaces/{ws}/settings-sessions")).Status);
        Assert.Equal(401, (await Host.WithToken(token).Get($"/v1/workspaces/{ws}/broadcast")).Status);

        var secret = token["bgs_".Length..];
        Assert.DoesNotContain(CapturedLogs.All, l => l.Contains(secret[..24]) || l.Contains(tampered[4..28]));
    }

    private static async Task AssertForbidden(Task<ApiResponse> call)
    {
        var r = await call;
        Assert.True(r.Status == 403, r.ToString());
        Assert.Equal("application/problem+json", r.ContentType);
    }

    /// <summary>Status, WWW-Authenticate and problem detail of a call with <paramref name="token"/>.</summary>
    private async Task<(int Status, string? Challenge, string Detail)> Unauthorized(string token, string path)
    {
        using var http = new HttpClient { BaseAddress = Host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = System.Text.Json.Nodes.JsonNode.Parse(body)!["detail"]!.GetValue<string>();
        return ((int)response.StatusCode, response.Headers.WwwAuthenticate.ToString(), detail);
    }
}
