using BroadcastGrains.BrowserTests.Support;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BroadcastGrains.BrowserTests;

/// <summary>
/// axe-core's WCAG 2.1 A and AA rules over the page's main states, light and dark: labels, roles, names, contrast.
/// </summary>
public sealed class SettingsAccessibilityTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly AxeRunOptions Wcag = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    [Theory]
    [InlineData(ColorScheme.Light)]
    [InlineData(ColorScheme.Dark)]
    public async Task The_page_and_its_form_break_no_WCAG_rule(ColorScheme scheme)
    {
        var (ws, id, _) = await browser.Host.NewWorkspaceWithDestination(browser.PostHog);
        // A card with something in every part: a dead letter and a last error.
        browser.PostHog.BatchFault = batch => batch.Events.Any(e => e["properties"]?["$ai_span_id"]?.GetValue<string>() == "gen-a11y-" + ws)
            ? new FakeAnswer(400) : null;
        Assert.Equal(202, (await browser.Host.Ingest().Post("/v1/traces", TraceJson.Seed(ws, "gen-a11y-" + ws).ToJsonString())).Status);
        await Eventually.Value(() => browser.Host.Admin().Get($"/v1/workspaces/{ws}/destinations/{id}"),
            r => r.Json["delivery"]!["dead_lettered"]!.GetValue<long>() == 1, "a dead letter");
        var link = await SettingsLinks.ForAsync(browser.Host, ws);

        // axe runs its own script in the page, which the page's CSP would refuse.
        await using var session = await browser.OpenAsync(new BrowserNewContextOptions { ColorScheme = scheme, BypassCSP = true });
        var page = session.Page;
        await session.GotoAsync(link.Url);
        var card = page.GetByRole(AriaRole.Region, new() { Name = "Product analytics" });
        await Expect(card.GetByRole(AriaRole.Table)).ToBeVisibleAsync();
        AssertNoViolations(await page.RunAxe(Wcag), "page");

        await card.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var form = page.GetByRole(AriaRole.Dialog);
        await form.GetByLabel("Api Key", new() { Exact = true }).FillAsync("not-a-key");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(form.GetByText("A project API key starts with phc_.")).ToBeVisibleAsync();
        AssertNoViolations(await page.RunAxe(Wcag), "form");
    }

    private static void AssertNoViolations(AxeResult result, string where)
    {
        // The rules ran and found things to check (labels, contrast, names), not an empty page.
        Assert.Contains(result.Passes, p => p.Id == "label");
        Assert.Contains(result.Passes, p => p.Id == "color-contrast");
        var violations = result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target.ToString()))}").ToList();
        Assert.True(violations.Count == 0, $"{where}: " + string.Join(Environment.NewLine, violations));
    }
}
