using System.Text.RegularExpressions;
using BroadcastGrains.BrowserTests.Support;
using static Microsoft.Playwright.Assertions;

namespace BroadcastGrains.BrowserTests;

/// <summary>The seed's steps 2–5 in a browser, as a person walks them, finding every control by its role and label.</summary>
public sealed class SettingsFlowTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private readonly TestHost _host = browser.Host;
    private readonly FakePostHog _postHog = browser.PostHog;

    [Fact]
    public async Task A_tenant_turns_broadcast_on_adds_posthog_sends_a_test_trace_and_recovers_from_a_rejected_key()
    {
        var ws = Ids.Workspace();
        var goodKey = Ids.ApiKey();
        _postHog.AcceptKey(goodKey);
        var admin = _host.Admin();
        var link = await SettingsLinks.ForAsync(_host, ws);
        await using var session = await browser.OpenAsync();
        var page = session.Page;

        await session.GotoAsync(link.Url);
        // The token leaves the address bar at once; the page keeps it for this tab only.
        await Expect(page).ToHaveURLAsync(new Regex($"/settings/{ws}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No destinations yet" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("empty");

        // Step 2: Enable Broadcast.
        var broadcastSwitch = page.GetByRole(AriaRole.Switch, new() { Name = "Enable Broadcast" });
        await Expect(broadcastSwitch).Not.ToBeCheckedAsync();
        await broadcastSwitch.CheckAsync();
        await Expect(page.GetByText("On — add a destination below to start sending.")).ToBeVisibleAsync();
        Assert.True((await admin.Get($"/v1/workspaces/{ws}/broadcast")).Json["enabled"]!.GetValue<bool>());

        // Step 3: a key PostHog rejects: the form shows PostHog's reason and nothing is saved.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add destination" }).ClickAsync();
        var form = page.GetByRole(AriaRole.Dialog, new() { Name = "Add PostHog destination" });
        await Expect(form.GetByLabel("Name", new() { Exact = true })).ToBeFocusedAsync();
        await form.GetByLabel("Name", new() { Exact = true }).FillAsync("Product analytics");
        await form.GetByLabel("Api Key", new() { Exact = true }).FillAsync("phc_thiskeyisunknowntoposthog");
        await form.GetByLabel("Endpoint", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Custom URL (self-hosted PostHog)" });
        await form.GetByLabel("Custom endpoint URL").FillAsync(_postHog.Endpoint);
        await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(form.GetByRole(AriaRole.Alert)).ToContainTextAsync(
            "Test Connection failed: PostHog rejected the project API key (wrong key or wrong region). Nothing was saved.");
        await session.ScreenshotAsync("rejected-key", fullPage: false);
        Assert.Empty((await admin.Get($"/v1/workspaces/{ws}/destinations")).Json["destinations"]!.AsArray());

        // The right key: Test Connection passes, Save saves, and the card shows the key masked, never whole.
        await form.GetByLabel("Api Key", new() { Exact = true }).FillAsync(goodKey);
        await form.GetByRole(AriaRole.Button, new() { Name = "Test Connection" }).ClickAsync();
        await Expect(form.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Connection works: PostHog accepted the project API key.");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(form).Not.ToBeVisibleAsync();
        var card = page.GetByRole(AriaRole.Region, new() { Name = "Product analytics" });
        await Expect(card).ToContainTextAsync("PostHog");
        await Expect(card).ToContainTextAsync(goodKey[..6] + "…" + goodKey[^4..]);
        await Expect(card.GetByTestId("state")).ToHaveTextAsync("Healthy");
        await Expect(page.Locator("body")).Not.ToContainTextAsync(goodKey);
        var id = (await admin.Get($"/v1/workspaces/{ws}/destinations")).Json["destinations"]![0]!["id"]!.GetValue<string>();

        // Step 4: Privacy Mode, through Edit.
        await card.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var editor = page.GetByRole(AriaRole.Dialog, new() { Name = "Edit Product analytics" });
        await editor.GetByRole(AriaRole.Switch, new() { Name = "Privacy Mode" }).CheckAsync();
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(editor).Not.ToBeVisibleAsync();
        await Expect(card.GetByTestId("privacy")).ToHaveTextAsync("On — prompts and completions are not sent");
        Assert.True((await admin.Get($"/v1/workspaces/{ws}/destinations/{id}")).Json["privacy_mode"]!.GetValue<bool>());

        // Step 5: a test trace arrives, without its text (Privacy Mode).
        await card.GetByRole(AriaRole.Button, new() { Name = "Send test trace" }).ClickAsync();
        var sent = card.GetByRole(AriaRole.Status);
        await Expect(sent).ToContainTextAsync("Test trace sent (generation broadcast-test-");
        var generation = Regex.Match(await sent.TextContentAsync() ?? "", @"generation (broadcast-test-[^)]+)\)").Groups[1].Value;
        await Expect(card.GetByTestId("delivered")).ToHaveTextAsync("1");
        var delivered = Assert.Single(_postHog.EventsFor(goodKey));
        Assert.Equal(generation, delivered["properties"]!["$ai_span_id"]!.GetValue<string>());
        Assert.False(delivered["properties"]!.AsObject().ContainsKey("$ai_input"));
        await Expect(card.GetByTestId("state")).ToHaveTextAsync("Healthy");
        await session.ScreenshotAsync("healthy");

        // PostHog starts refusing the key: the card says the destination is paused, in words.
        _postHog.FlagsFault = key => key == goodKey ? new FakeAnswer(401) : null;
        _postHog.BatchFault = batch => batch.ApiKey == goodKey ? new FakeAnswer(401) : null;
        await card.GetByRole(AriaRole.Button, new() { Name = "Send test trace" }).ClickAsync();
        await Expect(card.GetByTestId("state")).ToHaveTextAsync("Paused — PostHog rejected the key");
        await Expect(card.GetByTestId("last-error")).ToHaveTextAsync("Last error: PostHog rejected the project API key (wrong key or wrong region).");
        await Expect(card.GetByTestId("pending")).ToHaveTextAsync("1");
        await session.ScreenshotAsync("paused");

        // Fixed with a new key through Edit: the saved change ends the pause at once and the held trace goes out.
        var newKey = Ids.ApiKey();
        _postHog.AcceptKey(newKey);
        await card.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        await editor.GetByLabel("Api Key", new() { Exact = true }).FillAsync(newKey);
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(editor).Not.ToBeVisibleAsync();
        await Expect(card.GetByTestId("state")).ToHaveTextAsync("Healthy");
        await Expect(card.GetByTestId("delivered")).ToHaveTextAsync("2");
        await Expect(card).ToContainTextAsync(newKey[..6] + "…" + newKey[^4..]);

        // PostHog refuses one event as invalid: it becomes a dead letter, listed with its reason; Replay sends it again.
        _postHog.BatchFault = batch => batch.ApiKey == newKey ? new FakeAnswer(400) : null;
        await card.GetByRole(AriaRole.Button, new() { Name = "Send test trace" }).ClickAsync();
        var deadLetters = card.GetByRole(AriaRole.Table);
        await Expect(deadLetters.GetByRole(AriaRole.Row).Nth(1)).ToContainTextAsync("Rejected — PostHog refused the event as invalid");
        await Expect(card.GetByTestId("dead-lettered")).ToHaveTextAsync("1");
        _postHog.BatchFault = null;
        await card.GetByRole(AriaRole.Button, new() { Name = "Replay" }).ClickAsync();
        await Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 dead letter was queued to be sent again.");
        await Expect(card.GetByTestId("delivered")).ToHaveTextAsync("3");
        await Expect(card.GetByTestId("dead-lettered")).ToHaveTextAsync("0");
        await Expect(deadLetters).Not.ToBeVisibleAsync();

        // With broadcast off, a test trace cannot go anywhere: the card says why, in words.
        await broadcastSwitch.UncheckAsync();
        await Expect(page.GetByText("Off — traces are accepted but not sent to any destination.")).ToBeVisibleAsync();
        await card.GetByRole(AriaRole.Button, new() { Name = "Send test trace" }).ClickAsync();
        await Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync(
            "Broadcast is off for this workspace: turn on Enable Broadcast, then send the test trace again.");

        // Delete, confirmed in a dialog.
        await card.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog, new() { Name = "Delete destination?" }).GetByRole(AriaRole.Button, new() { Name = "Delete destination" }).ClickAsync();
        await Expect(card).Not.ToBeAttachedAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No destinations yet" })).ToBeVisibleAsync();
        Assert.Empty((await admin.Get($"/v1/workspaces/{ws}/destinations")).Json["destinations"]!.AsArray());

        await session.AssertOnlyOwnOriginAsync(link.Token);
        Assert.DoesNotContain(CapturedLogs.All, line => line.Contains(link.Token, StringComparison.Ordinal));
    }
}
