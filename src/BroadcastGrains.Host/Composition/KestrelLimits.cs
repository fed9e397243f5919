using BroadcastGrains.Host.Http;
using BroadcastGrains.Host.Ingestion;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace BroadcastGrains.Host.Composition;

/// <summary>
/// Kestrel's defaults are made for browsers on bad links: 240 bytes/s minimum body rate (one client could hold a
/// 10 MB ingest buffer for half a day) and 30 s for headers. Ingest clients are servers, so both are tightened.
/// </summary>
public static class KestrelLimits
{
    public static IngestBodyLimits Configure(WebApplicationBuilder builder)
    {
        var limits = builder.Configuration.GetSection(IngestBodyLimits.Section).Get<IngestBodyLimits>() ?? new IngestBodyLimits();
        Validate(limits);
        builder.Services.AddSingleton(limits);
        // What Kestrel throws at a slow body must reach the client as Kestrel's 408, not as the handler's 500.
        builder.Services.AddExceptionHandler<BadHttpRequestHandler>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.RequestHeadersTimeout = limits.RequestHeadersTimeout;
            kestrel.Limits.MinRequestBodyDataRate = limits.MinBodyBytesPerSecond > 0
                ? new MinDataRate(limits.MinBodyBytesPerSecond, limits.MinBodyRateGracePeriod)
                : null;
        });
        return limits;
    }

    /// <summary>Kestrel would refuse these later with a message that names none of our keys.</summary>
    private static void Validate(IngestBodyLimits limits)
    {
        var problems = new List<string>();
        if (limits.MinBodyBytesPerSecond < 0 || !double.IsFinite(limits.MinBodyBytesPerSecond))
            problems.Add($"{IngestBodyLimits.Section}:MinBodyBytesPerSecond must be 0 (off) or a positive number.");
        if (limits.MinBodyBytesPerSecond > 0 && limits.MinBodyRateGracePeriod <= TimeSpan.FromSeconds(1))
            problems.Add($"{IngestBodyLimits.Section}:MinBodyRateGracePeriod must be more than 1 second (Kestrel checks rates once a second).");
        if (limits.RequestHeadersTimeout <= TimeSpan.Zero)
            problems.Add($"{IngestBodyLimits.Section}:RequestHeadersTimeout must be positive.");
        if (problems.Count > 0)
            throw new InvalidOperationException("BroadcastGrains cannot start: " + string.Join(" ", problems));
    }
}
