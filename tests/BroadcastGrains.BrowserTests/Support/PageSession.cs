using System.Collections.Concurrent;
using IRequest = Microsoft.Playwright.IRequest;

namespace BroadcastGrains.BrowserTests.Support;

/// <summary>
/// A browser context with one page, recording what a person could not see: every request the page makes, script
/// errors and Content-Security-Policy violations. <see cref="AssertOnlyOwnOriginAsync"/> checks them at the end.
/// </summary>
public sealed class PageSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly Uri _origin;
    private readonly ConcurrentQueue<IRequest> _requests = new();
    private readonly ConcurrentQueue<string> _problems = new();

    private PageSession(IBrowserContext context, IPage page, Uri origin)
    {
        _context = context;
        Page = page;
        _origin = origin;
    }

    public IPage Page { get; }

    public IReadOnlyList<IRequest> Requests => _requests.ToArray();

    public static async Task<PageSession> StartAsync(IBrowserContext context, Uri origin)
    {
        var page = await context.NewPageAsync();
        var session = new PageSession(context, page, origin);
        context.Request += (_, request) => session._requests.Enqueue(request);
        page.PageError += (_, error) => session._problems.Enqueue("script error: " + error);
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
                || message.Text.Contains("Trusted Type", StringComparison.OrdinalIgnoreCase))
                session._problems.Enqueue("CSP: " + message.Text);
        };
        return session;
    }

    public Task GotoAsync(string pathAndFragment) => Page.GotoAsync(new Uri(_origin, pathAndFragment).ToString());

    /// <summary>
    /// Every request went to the host itself (nothing from another origin), none carried the token in its address or
    /// a Referer, and the page raised no script error and broke no rule of its CSP.
    /// </summary>
    public async Task AssertOnlyOwnOriginAsync(string? token = null)
    {
        var requests = Requests;
        Assert.NotEmpty(requests);
        var own = _origin.GetLeftPart(UriPartial.Authority);
        foreach (var request in requests)
        {
            Assert.True(request.Url.StartsWith(own + "/", StringComparison.Ordinal), $"request to another origin: {request.Url}");
            // The headers as sent (Chromium's own list, not Playwright's provisional one).
            var sent = await request.AllHeadersAsync();
            Assert.False(sent.TryGetValue("referer", out var referer), $"{request.Url} carried a Referer: {referer}");
            if (token is not null) Assert.DoesNotContain(token, request.Url);
        }
        Assert.Empty(_problems);
    }

    /// <summary>Writes a PNG of the page when BROADCAST_SCREENSHOTS names a folder (the README's pictures come from there).</summary>
    /// <remarks>A modal dialog's backdrop covers the viewport only: take those with <paramref name="fullPage"/> false.</remarks>
    public async Task ScreenshotAsync(string name, bool fullPage = true)
    {
        var folder = Environment.GetEnvironmentVariable("BROADCAST_SCREENSHOTS");
        if (string.IsNullOrEmpty(folder)) return;
        Directory.CreateDirectory(folder);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"settings-{name}.png"), FullPage = fullPage, Animations = ScreenshotAnimations.Disabled });
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
