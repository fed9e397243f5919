using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.IntegrationTests.Support;
using BroadcastGrains.PostHog;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BroadcastGrains.IntegrationTests.Composition;

/// <summary>What AddBroadcastPostgresStorage composes: the container owns what it made, the storage brings its own defaults.</summary>
public sealed class PostgresCompositionTests
{
    [Fact]
    public async Task The_data_source_and_the_postHog_client_are_disposed_with_the_host_and_the_writers_run_from_the_silo()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Storage"] = "Postgres",
            ["ConnectionStrings:Postgres"] = db.ConnectionString,
        });
        NpgsqlDataSource dataSource;
        PostHogClient client;
        string key;
        try
        {
            dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
            client = host.Services.GetRequiredService<PostHogClient>();
            // The outbox's group commit was started by the silo: a durable ingest through it is answered.
            (var ws, _, key) = await host.NewWorkspaceWithDestination(postHog);
            var accepted = await host.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, Ids.Generation()));
            Assert.Equal(202, accepted.Status);
            await Eventually.True(() => postHog.EventsFor(key).Count == 1, "event delivered");
            Assert.Equal(MemoryBudget.DefaultMaxBytes(durableStorage: true), host.Services.GetRequiredService<MemoryBudget>().MaxBytes);
            Assert.Equal(0, host.Services.GetRequiredService<OutboxAppendBatcher>().AdmittedItems);
        }
        finally
        {
            await host.DisposeAsync();
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await dataSource.OpenConnectionAsync());
        // The same key passed Test Connection a moment ago; with the client's connection pool disposed it cannot.
        var after = await client.TestConnectionAsync(key, postHog.Endpoint, CancellationToken.None);
        Assert.False(after.Ok);
        Assert.Contains("disposed", after.Detail);
    }
}
