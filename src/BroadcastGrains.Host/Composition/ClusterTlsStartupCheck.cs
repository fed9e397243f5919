using System.Security.Cryptography.X509Certificates;

namespace BroadcastGrains.Host.Composition;

/// <summary>Says at start what an operator must know about the silo ports: open to anyone, or a certificate near its end.</summary>
public sealed partial class ClusterTlsStartupCheck(
    ILogger<ClusterTlsStartupCheck> logger,
    TimeProvider time,
    X509Certificate2? certificate,
    bool openCluster,
    int siloPort,
    int gatewayPort) : IHostedService
{
    /// <summary>How long before the certificate's end the warning starts; rotating it takes a whole-cluster restart.</summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (openCluster) LogOpenCluster(logger, siloPort, gatewayPort, ClusterTlsOptions.PathKey);
        if (certificate is not null)
        {
            // Peers are pinned, not chain-validated, so an expired certificate keeps working; say so before it matters
            // to whoever audits it.
            var left = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()) - time.GetUtcNow();
            if (left < ExpiryWarning) LogExpiring(logger, certificate.NotAfter.ToUniversalTime(), ClusterTlsOptions.PathKey);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Broadcast:Clustering is Postgres without TLS: anyone who can reach silo port {SiloPort} or gateway port {GatewayPort} can call grains directly (read PostHog keys, redirect destinations, enqueue events for any tenant), bypassing every bearer token. Set {Key} to a PFX shared by all silos, or keep these ports on a private network.")]
    private static partial void LogOpenCluster(ILogger logger, int siloPort, int gatewayPort, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "The cluster certificate ({Key}) ends at {NotAfter:u}; make a new one and restart every silo with it before then.")]
    private static partial void LogExpiring(ILogger logger, DateTime notAfter, string key);
}
