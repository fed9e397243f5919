using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Api;

[Collection(ApiCollection.Name)]
public sealed class AuthTests(ApiFixture fixture)
{
    [Fact]
    public async Task No_token_is_401_problem()
    {
        var r = await fixture.Host.Anonymous().Get("/v1/workspaces/ws_a/broadcast");
        Assert.Equal(401, r.Status);
        Assert.Equal("application/problem+json", r.ContentType);
        var t = await fixture.Host.Anonymous().Post("/v1/traces", "[]");
        Assert.Equal(401, t.Status);
    }

    [Fact]
    public async Task Unknown_token_is_401()
    {
        var r = await fixture.Host.WithToken("not-a-token").Get("/v1/workspaces/ws_a/broadcast");
        Assert.Equal(401, r.Status);
    }

    [Fact]
    public async Task Ingest_token_on_workspace_endpoint_is_403()
    {
        var r = await fixture.Host.Ingest().Get("/v1/workspaces/ws_a/destinations");
        Assert.Equal(403, r.Status);
        Assert.Equal("application/problem+json", r.ContentType);
    }

    [Fact]
    public async Task Admin_token_on_traces_is_403()
    {
        var r = await fixture.Host.Admin().Post("/v1/traces", TraceJson.Minimal("ws_a", "g1"));
        Assert.Equal(403, r.Status);
    }

    [Fact]
    public async Task Health_endpoints_need_no_token()
    {
        Assert.Equal(200, (await fixture.Host.Anonymous().Get("/healthz")).Status);
        var ready = await fixture.Host.Anonymous().Get("/readyz");
        Assert.Equal(200, ready.Status);
        Assert.Equal("ready", ready.Json["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenApi_document_is_served()
    {
        var r = await fixture.Host.Anonymous().Get("/openapi/v1.json");
        Assert.Equal(200, r.Status);
        Assert.NotNull(r.Json["paths"]!["/v1/traces"]);
    }

    [Fact]
    public async Task Tokens_are_never_logged()
    {
        await fixture.Host.WithToken("secret-probe-token").Get("/v1/workspaces/ws_a/broadcast");
        await fixture.Host.Admin().Get("/v1/workspaces/ws_a/broadcast");
        Assert.DoesNotContain(CapturedLogs.All, l => l.Contains("secret-probe-token") || l.Contains(TestHost.AdminToken));
    }
}
