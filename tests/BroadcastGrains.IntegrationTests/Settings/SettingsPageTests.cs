using BroadcastGrains.Host.Settings;
using BroadcastGrains.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.IntegrationTests.Settings;

/// <summary>
/// CONTRACT §8.4: <c>GET /settings/{ws}</c> and its assets over plain HTTP — served anonymously from the host, with a
/// strict CSP, no Referer, no sniffing, and frame embedding as <c>Broadcast:Settings:FrameAncestors</c> says.
/// The page itself is walked in a browser by BroadcastGrains.BrowserTests.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class SettingsPageTests(ApiFixture fixture)
{
    private const string Policy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'; frame-ancestors 'none'";

    private static readonly HttpClient Http = new();

    private Task<HttpResponseMessage> Get(Uri host, string path) => Http.GetAsync(new Uri(host, path));

    [Theory]
    [InlineData("/settings/ws_123", "text/html")]
    [InlineData("/settings/assets/settings.js", "text/javascript")]
    [InlineData("/settings/assets/editor.js", "text/javascript")]
    [InlineData("/settings/assets/settings.css", "text/css")]
    public async Task The_page_and_its_assets_are_served_without_a_token_and_with_the_security_headers(string path, string mediaType)
    {
        using var response = await Get(fixture.Host.BaseAddress, path);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 500);
        AssertSecurityHeaders(response, Policy, "DENY");
    }

    [Fact]
    public async Task The_page_loads_only_its_own_files_and_no_inline_script_or_style()
    {
        var html = await Http.GetStringAsync(new Uri(fixture.Host.BaseAddress, "/settings/ws_123"));
        Assert.Contains("<script type=\"module\" src=\"assets/settings.js\"></script>", html);
        Assert.Contains("<link rel=\"stylesheet\" href=\"assets/settings.css\">", html);
        Assert.Single(html.Split("<script").Skip(1));
        Assert.DoesNotContain("<style", html);
        Assert.DoesNotContain(" style=", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html.Replace("https://us.i.posthog.com", "").Replace("https://eu.i.posthog.com", "")
            .Replace("https://posthog.example.com", ""));
    }

    [Fact]
    public async Task An_unchanged_asset_is_answered_304()
    {
        using var first = await Get(fixture.Host.BaseAddress, "/settings/assets/settings.js");
        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Host.BaseAddress, "/settings/assets/settings.js"));
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var response = await Http.SendAsync(again);
        Assert.Equal(304, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("/settings/ws%20123")]
    [InlineData("/settings/" + "w234567890123456789012345678901234567890123456789012345678901234x")]
    public async Task A_malformed_workspace_is_400_problem_json_naming_it(string path)
    {
        using var response = await Get(fixture.Host.BaseAddress, path);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("workspace_id", await response.Content.ReadAsStringAsync());
        AssertSecurityHeaders(response, Policy, "DENY");
    }

    [Theory]
    [InlineData("/settings/assets/other.js")]
    [InlineData("/settings/assets/settings.html")]
    public async Task An_unknown_asset_is_404(string path)
    {
        using var response = await Get(fixture.Host.BaseAddress, path);
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_page_is_not_in_the_api_description()
    {
        var document = await fixture.Host.Anonymous().Get("/openapi/v1.json");
        Assert.Equal(200, document.Status);
        var paths = document.Json["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains(paths, p => p.StartsWith("/v1/", StringComparison.Ordinal));
        Assert.DoesNotContain(paths, p => p.StartsWith("/settings", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Listed_origins_may_frame_the_page_and_X_Frame_Options_is_not_sent()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Settings:FrameAncestors:0"] = "https://app.example.com",
            ["Broadcast:Settings:FrameAncestors:1"] = "https://*.example.org:8443/ 'self'",
        });
        using var response = await Get(host.BaseAddress, "/settings/ws_123");
        Assert.Equal(200, (int)response.StatusCode);
        AssertSecurityHeaders(response,
            Policy.Replace("frame-ancestors 'none'", "frame-ancestors https://app.example.com https://*.example.org:8443 'self'"), null);
    }

    [Fact]
    public async Task One_value_may_list_several_origins()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Settings:FrameAncestors"] = "https://app.example.com, https://admin.example.com",
        });
        Assert.Equal(["https://app.example.com", "https://admin.example.com"],
            host.Services.GetRequiredService<IOptions<SettingsPageOptions>>().Value.Origins());
    }

    [Theory]
    [InlineData("*")]
    [InlineData("app.example.com")]
    [InlineData("https://app.example.com/embed")]
    [InlineData("https://app.example.com?x=1")]
    [InlineData("ftp://app.example.com")]
    [InlineData("https://user@app.example.com")]
    [InlineData("https://app.*.com")]
    [InlineData("https://app.example.com;script-src")]
    [InlineData("'unsafe-inline'")]
    public async Task A_value_that_is_not_an_origin_stops_start_up_naming_the_key(string origin)
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Settings:FrameAncestors:0"] = origin,
        }));
        Assert.Contains("Broadcast:Settings:FrameAncestors", ex.Message);
        Assert.Contains("is not an origin", ex.Message);
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response, string policy, string? frameOptions)
    {
        Assert.Equal(policy, string.Join(", ", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("no-referrer", string.Join(", ", response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("nosniff", string.Join(", ", response.Headers.GetValues("X-Content-Type-Options")));
        if (frameOptions is null) Assert.False(response.Headers.Contains("X-Frame-Options"));
        else Assert.Equal(frameOptions, string.Join(", ", response.Headers.GetValues("X-Frame-Options")));
    }
}
