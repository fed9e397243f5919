using BroadcastGrains.BrowserTests.Support;
using BroadcastGrains.Host.SettingsSessions;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace BroadcastGrains.BrowserTests;

/// <summary>What the page says when its link is missing, no longer valid or for another workspace: a sentence, not a broken page.</summary>
public sealed class SettingsSessionTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private readonly TestHost _host = browser.Host;

    [Fact]
    public async Task Without_a_token_the_page_says_it_needs_a_settings_link()
    {
        await using var session = await browser.OpenAsync();
        await session.GotoAsync($"/settings/{Ids.Workspace()}");
        await Expect(session.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("This page needs a settings link");
        await Expect(session.Page.GetByRole(AriaRole.Switch, new() { Name = "Enable Broadcast" })).Not.ToBeVisibleAsync();
        // Nothing to ask the API without a token.
        Assert.DoesNotContain(session.Requests, r => r.Url.Contains("/v1/"));
        await session.AssertOnlyOwnOriginAsync();
    }

    [Fact]
    public async Task An_unknown_token_says_the_link_expired_or_is_not_valid_and_is_forgotten()
    {
        await using var session = await browser.OpenAsync();
        await session.GotoAsync($"/settings/{Ids.Workspace()}#token=bgs_not-a-real-token");
        await Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "This settings link has expired or is not valid" })).ToBeVisibleAsync();
        await Expect(session.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Ask your administrator for a new link.");
        Assert.Equal(0, await session.Page.EvaluateAsync<int>("sessionStorage.length"));
        await session.AssertOnlyOwnOriginAsync("bgs_not-a-real-token");
    }

    [Fact]
    public async Task An_expired_link_says_so()
    {
        var ws = Ids.Workspace();
        // The host's own codec with an expiry already past: no waiting for a real session to run out.
        var expired = _host.Services.GetRequiredService<SettingsTokenCodec>().Issue(ws, 0, TimeSpan.FromSeconds(-5), out _);
        await using var session = await browser.OpenAsync();
        await session.GotoAsync($"/settings/{ws}#token={expired}");
        await Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "This settings link has expired" })).ToBeVisibleAsync();
        await Expect(session.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Settings links work for a limited time");
        await session.AssertOnlyOwnOriginAsync(expired);
    }

    [Fact]
    public async Task A_link_revoked_while_the_page_is_open_says_so_at_the_next_refresh()
    {
        var ws = Ids.Workspace();
        var link = await SettingsLinks.ForAsync(_host, ws);
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.GotoAsync(link.Url);
        await Expect(page.GetByRole(AriaRole.Switch, new() { Name = "Enable Broadcast" })).ToBeVisibleAsync();

        Assert.Equal(204, (await _host.Admin().Delete($"/v1/workspaces/{ws}/settings-sessions")).Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This settings link was revoked" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Switch, new() { Name = "Enable Broadcast" })).Not.ToBeVisibleAsync();
        // Opening the same link again says the same; a new session's link opens the page again, in the same tab (where
        // only the fragment changes, so the page is not reloaded).
        await session.GotoAsync(link.Url);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This settings link was revoked" })).ToBeVisibleAsync();
        await session.GotoAsync((await SettingsLinks.ForAsync(_host, ws)).Url);
        await Expect(page.GetByRole(AriaRole.Switch, new() { Name = "Enable Broadcast" })).ToBeVisibleAsync();
        await session.AssertOnlyOwnOriginAsync(link.Token);
    }

    [Fact]
    public async Task A_link_of_one_workspace_opens_no_other()
    {
        var (a, _, _) = await _host.NewWorkspaceWithDestination(browser.PostHog);
        var (b, _, _) = await _host.NewWorkspaceWithDestination(browser.PostHog);
        var linkA = await SettingsLinks.ForAsync(_host, a);

        // Through the API: workspace B's settings are closed to A's token, A's are open.
        var asA = _host.WithToken(linkA.Token);
        Assert.Equal(200, (await asA.Get($"/v1/workspaces/{a}/destinations")).Status);
        foreach (var path in new[] { "destinations", "broadcast" })
        {
            var read = await asA.Get($"/v1/workspaces/{b}/{path}");
            Assert.Equal(403, read.Status);
            Assert.DoesNotContain("Product analytics", read.Body);
        }
        Assert.Equal(403, (await asA.Put($"/v1/workspaces/{b}/broadcast", """{"enabled": false}""")).Status);

        // Through the page: A's token on B's page says so in words and shows nothing of B.
        await using var session = await browser.OpenAsync();
        await session.GotoAsync($"/settings/{b}#token={linkA.Token}");
        await Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "This link is for another workspace" })).ToBeVisibleAsync();
        await Expect(session.Page.GetByRole(AriaRole.Region, new() { Name = "Product analytics" })).Not.ToBeVisibleAsync();
        Assert.Equal(0, await session.Page.EvaluateAsync<int>("sessionStorage.length"));
        await session.AssertOnlyOwnOriginAsync(linkA.Token);
    }

    [Fact]
    public async Task A_token_kept_for_the_tab_survives_a_reload_without_the_fragment()
    {
        var ws = Ids.Workspace();
        var link = await SettingsLinks.ForAsync(_host, ws);
        await using var session = await browser.OpenAsync();
        await session.GotoAsync(link.Url);
        await Expect(session.Page.GetByRole(AriaRole.Switch, new() { Name = "Enable Broadcast" })).ToBeVisibleAsync();
        await session.Page.ReloadAsync();
        await Expect(session.Page.GetByRole(AriaRole.Switch, new() { Name = "Enable Broadcast" })).ToBeVisibleAsync();
        Assert.DoesNotContain("token", session.Page.Url);
        await session.AssertOnlyOwnOriginAsync(link.Token);
    }

    [Fact]
    public async Task The_page_works_with_the_keyboard()
    {
        var ws = Ids.Workspace();
        var link = await SettingsLinks.ForAsync(_host, ws);
        await using var session = await browser.OpenAsync();
        var page = session.Page;
        await session.GotoAsync(link.Url);
        var broadcastSwitch = page.GetByRole(AriaRole.Switch, new() { Name = "Enable Broadcast" });
        var add = page.GetByRole(AriaRole.Button, new() { Name = "Add destination" });
        await Expect(broadcastSwitch).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("Tab");
        await Expect(broadcastSwitch).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Space");
        await Expect(broadcastSwitch).ToBeCheckedAsync();
        await Expect(page.GetByText("On — add a destination below to start sending.")).ToBeVisibleAsync();
        // Saving the switch did not take the focus away from it.
        await Expect(broadcastSwitch).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(add).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        var form = page.GetByRole(AriaRole.Dialog, new() { Name = "Add PostHog destination" });
        await Expect(form.GetByLabel("Name", new() { Exact = true })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(form.GetByLabel("Api Key", new() { Exact = true })).ToBeFocusedAsync();
        // Enter submits the form: the empty key is named next to its field.
        await page.Keyboard.PressAsync("Enter");
        await Expect(form.GetByText("Enter your PostHog project API key.")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(form).Not.ToBeVisibleAsync();
        await Expect(add).ToBeFocusedAsync();
        await session.AssertOnlyOwnOriginAsync(link.Token);
    }

    [Fact]
    public async Task At_a_phone_s_width_nothing_overflows()
    {
        var (ws, _, _) = await _host.NewWorkspaceWithDestination(browser.PostHog);
        var link = await SettingsLinks.ForAsync(_host, ws);
        await using var session = await browser.OpenAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 360, Height = 780 },
            IsMobile = true,
            HasTouch = true,
        });
        await session.GotoAsync(link.Url);
        await Expect(session.Page.GetByRole(AriaRole.Region, new() { Name = "Product analytics" })).ToBeVisibleAsync();
        Assert.True(await session.Page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            "the page is wider than the phone's screen");
        await session.ScreenshotAsync("phone");

        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var form = session.Page.GetByRole(AriaRole.Dialog);
        await Expect(form.GetByRole(AriaRole.Button, new() { Name = "Save" })).ToBeInViewportAsync();
        var box = await form.BoundingBoxAsync();
        Assert.True(box is { X: >= 0 } && box.X + box.Width <= 360, "the form is wider than the phone's screen");
        await session.ScreenshotAsync("phone-form", fullPage: false);
        await session.AssertOnlyOwnOriginAsync(link.Token);
    }

    [Fact]
    public async Task The_page_follows_the_system_s_dark_setting()
    {
        var (ws, _, _) = await _host.NewWorkspaceWithDestination(browser.PostHog);
        var link = await SettingsLinks.ForAsync(_host, ws);
        await using var session = await browser.OpenAsync(new BrowserNewContextOptions { ColorScheme = ColorScheme.Dark });
        await session.GotoAsync(link.Url);
        await Expect(session.Page.GetByRole(AriaRole.Region, new() { Name = "Product analytics" })).ToBeVisibleAsync();
        Assert.Equal("rgb(15, 17, 21)", await session.Page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor"));
        await session.ScreenshotAsync("dark");
        await session.AssertOnlyOwnOriginAsync(link.Token);
    }
}
