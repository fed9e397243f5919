using BroadcastGrains.Host.Http;
using BroadcastGrains.Ingestion;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Host.Composition;

/// <summary>
/// Kestrel's defaults are made for browsers on bad links: 240 bytes/s minimum body rate (one client could hold a
/// 10 MB ingest buffer for half a day) and 30 s for headers. Ingest clients are servers, so both are tightened.
/// </summary>
public static class KestrelLimits
{
    public static void Configure(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Validated before Kestrel reads them: it would refuse bad ones later with a message naming none of our keys.
        services.AddOptions<IngestBodyLimits>().BindConfiguration(IngestBodyLimits.Section).ValidateDataAnnotations().ValidateOnStart();
        // PooledBody finds the body deadline as this plain service (the bench's floor has none, so reads without it).
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<IngestBodyLimits>>().Value);
        // What Kestrel throws at a slow body must reach the client as Kestrel's 408, not as the handler's 500.
        services.AddExceptionHandler<BadHttpRequestHandler>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<IngestBodyLimits>>((kestrel, options) =>
        {
            var limits = options.Value;
            kestrel.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout;
            kestrel.Limits.MinRequestBodyDataRate = limits.MinBodyBytesPerSecond > 0
                ? new MinDataRate(limits.MinBodyBytesPerSecond, limits.MinBodyRateGracePeriod)
                : null;
        });
    }
}
