namespace BroadcastGrains.BrowserTests.Support;

/// <summary>How an operator hands a tenant its page: a settings session's URL (CONTRACT §8.4).</summary>
public static class SettingsLinks
{
    public sealed record Link(string Url, string Token);

    /// <summary>The page's address with a token in its fragment, as a settings session answers it.</summary>
    public static Task<Link> ForAsync(TestHost host, string workspace) =>
        // Until settings sessions exist the page is opened with an admin token, which the page treats like any other.
        Task.FromResult(new Link($"/settings/{workspace}#token={TestHost.AdminToken}", TestHost.AdminToken));
}
