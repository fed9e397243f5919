using BroadcastGrains.Grains;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Host.Health;

namespace BroadcastGrains.Host.Composition;

/// <summary>The co-hosted Orleans silo: clustering, grain storage and the outbox, chosen by configuration.</summary>
public static class SiloSetup
{
    public static void Configure(WebApplicationBuilder builder, BroadcastOptions options)
    {
        var config = builder.Configuration;
        var siloPort = config.GetValue("Orleans:SiloPort", 11111);
        var gatewayPort = config.GetValue("Orleans:GatewayPort", 30000);

        if (options.Storage == StorageMode.Postgres || options.Clustering == ClusteringMode.Postgres)
            throw new NotSupportedException("Postgres storage and clustering are not implemented yet.");

        builder.Services.AddSingleton<IOutboxStore, MemoryOutboxStore>();
        builder.Services.AddSingleton<IStorageProbe, MemoryStorageProbe>();

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort);
            silo.AddMemoryGrainStorage(BroadcastStorage.Name);
        });
    }
}
