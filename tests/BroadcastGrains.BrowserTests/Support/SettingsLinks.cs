namespace BroadcastGrains.BrowserTests.Support;

/// <summary>How an operator hands a tenant its page: a settings session's URL (CONTRACT §8.4).</summary>
public static class SettingsLinks
{
    public sealed record Link(string Url, string Token);

    /// <summary>A new settings session of <paramref name="workspace"/>, made with the admin token as an operator would.</summary>
    public static async Task<Link> ForAsync(TestHost host, string workspace)
    {
        var session = await host.Admin().Post($"/v1/workspaces/{workspace}/settings-sessions", "{}");
        Assert.True(session.Status == 201, session.ToString());
        var url = session.Json["url"]!.GetValue<string>();
        var token = session.Json["token"]!.GetValue<string>();
        Assert.Equal($"/settings/{workspace}#token={token}", url);
        return new Link(url, token);
    }
}
