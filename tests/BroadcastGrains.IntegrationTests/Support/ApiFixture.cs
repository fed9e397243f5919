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
    public Task<(string Workspace, string DestinationId, string ApiKey)> NewWorkspaceWithDestination(string extra = "") =>
        Host.NewWorkspaceWithDestination(PostHog, extra);
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
