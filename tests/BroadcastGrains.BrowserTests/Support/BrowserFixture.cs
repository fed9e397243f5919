namespace BroadcastGrains.BrowserTests.Support;

/// <summary>
/// One headless Chromium, one real host and one fake PostHog per test class; each test opens a fresh browser context.
/// The browser is Debian's chromium (Playwright's own browser download cannot work here): BROADCAST_TEST_CHROMIUM,
/// else /usr/bin/chromium, which tests/run.sh installs when missing.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string DefaultChromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;
    public TestHost Host { get; private set; } = null!;
    public FakePostHog PostHog { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // The machine is shared and small: a few seconds more before an expectation fails costs nothing when it passes.
        Assertions.SetDefaultExpectTimeout(20_000);
        PostHog = await FakePostHog.StartAsync();
        Host = await TestHost.StartAsync();
        var chromium = Environment.GetEnvironmentVariable("BROADCAST_TEST_CHROMIUM") is { Length: > 0 } path ? path : DefaultChromium;
        if (!File.Exists(chromium))
            throw new InvalidOperationException($"No Chromium at {chromium}: install Debian's chromium package (tests/run.sh does) or set BROADCAST_TEST_CHROMIUM.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Host is not null) await Host.DisposeAsync();
        if (PostHog is not null) await PostHog.DisposeAsync();
    }

    /// <summary>A fresh context (no storage shared with other tests) and a page that records every request it makes.</summary>
    public async Task<PageSession> OpenAsync(BrowserNewContextOptions? options = null)
    {
        var context = await Browser.NewContextAsync(options ?? new BrowserNewContextOptions());
        return await PageSession.StartAsync(context, Host.BaseAddress);
    }
}
