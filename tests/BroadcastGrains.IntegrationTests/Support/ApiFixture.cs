namespace BroadcastGrains.IntegrationTests.Support;

/// <summary>One host and one fake PostHog shared by a collection; tests isolate themselves by workspace and key.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public TestHost Host { get; private set; } = null!;
    public FakePostHog PostHog { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        PostHog = await FakePostHog.StartAsync();
        Host = await TestHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await PostHog.DisposeAsync();
    }

    /// <summary>A fresh workspace with broadcast on and one PostHog destination whose key the fake accepts.</summary>
    public async Task<(string Workspace, string DestinationId, string ApiKey)> NewWorkspaceWithDestination(string extra = "")
    {
        var ws = Ids.Workspace();
        var key = Ids.ApiKey();
        PostHog.AcceptKey(key);
        var admin = Host.Admin();
        var on = await admin.Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""");
        Assert.Equal(200, on.Status);
        var created = await admin.Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","name":"Product analytics","config":{"api_key":"{{{key}}}","endpoint":"{{{PostHog.Endpoint}}}"}{{{extra}}}}""");
        Assert.True(created.Status == 201, created.ToString());
        return (ws, created.Json["id"]!.GetValue<string>(), key);
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
