using BroadcastGrains.Grains;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.KeyRing;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Placement;
using BroadcastGrains.PostHog;
using BroadcastGrains.PostHog.Delivery;
using BroadcastGrains.PostHog.Network;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace BroadcastGrains.IntegrationTests.Support;

/// <summary>
/// A one-silo TestingHost cluster with what the workspace and destination grains need (Memory storage, a small gate,
/// an ephemeral key ring, short delivery clocks), for tests that call the grains directly.
/// </summary>
public static class DestinationTestCluster
{
    public static async Task<InProcessTestCluster> StartAsync(MemoryBudget budget)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(BroadcastStorage.Name);
            silo.Services.AddPlacementDirector<WorkspaceOwnerPlacement, WorkspaceOwnerPlacementDirector>();
            silo.Services.AddSingleton<WorkspaceOwners>();
            silo.Services.AddSingleton(budget);
            silo.Services.AddSingleton<IOutboxStore, MemoryOutboxStore>();
            silo.Services.AddSingleton(TimeProvider.System);
            silo.Services.AddSingleton<BroadcastGrains.Grains.Telemetry.BacklogRegistry>();
            silo.Services.AddSingleton(new OutboundGate(new SendLaneOptions { MainLane = 8, SlowLane = 8 }, TimeProvider.System));
            silo.Services.AddSingleton(new PayloadPool(poisonReturned: true));
            silo.Services.AddSingleton(new ApiKeyProtector(new EphemeralDataProtectionProvider()));
            silo.Services.AddSingleton(new PostHogClient(PostHogClient.CreateHttpClient(PostHogHttpHandlerFactory.Create(new NetworkOptions { AllowPrivateEndpoints = true }))));
            silo.Services.Configure<DeliveryOptions>(o =>
            {
                o.Linger = TimeSpan.FromMilliseconds(20);
                o.BackoffBase = TimeSpan.FromMilliseconds(20);
                o.BackoffCap = TimeSpan.FromMilliseconds(200);
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
