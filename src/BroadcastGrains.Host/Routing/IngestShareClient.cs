using Orleans.Runtime.Services;

namespace BroadcastGrains.Host.Routing;

/// <summary>Addresses the <see cref="IIngestShareService"/> of a given silo.</summary>
public sealed class IngestShareClient(IServiceProvider services) : GrainServiceClient<IIngestShareService>(services)
{
    public IIngestShareService On(SiloAddress silo) => GetGrainService(silo);
}
