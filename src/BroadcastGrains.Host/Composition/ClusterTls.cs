using Orleans.Connections.Security;

namespace BroadcastGrains.Host.Composition;

/// <summary>Mutual TLS on the silo and gateway ports (CONTRACT §8.3), from <c>Orleans:Tls</c>.</summary>
public static class ClusterTls
{
    public static void Configure(ISiloBuilder silo, IConfiguration config, IHostEnvironment environment, BroadcastOptions options, int siloPort, int gatewayPort)
    {
        var tls = ClusterTlsOptions.From(config);
        // StartupValidation has already loaded it once, so a failure here is a file changed in between.
        var certificate = tls.Enabled ? ClusterCertificate.Load(tls) : null;
        if (certificate is not null) silo.UseTls(o => Apply(o, certificate));

        var open = certificate is null && options.Clustering == ClusteringMode.Postgres && !environment.IsDevelopment();
        silo.Services.AddHostedService(sp => new ClusterTlsStartupCheck(
            sp.GetRequiredService<ILogger<ClusterTlsStartupCheck>>(), sp.GetRequiredService<TimeProvider>(),
            certificate, open, siloPort, gatewayPort));
    }

    /// <summary>
    /// Both directions present the cluster certificate and require the peer's: inbound silo and gateway connections
    /// (the silo as server) and outbound silo connections (the silo as client). A trusted Orleans client applies
    /// the same settings to its gateway connections.
    /// </summary>
    public static void Apply(TlsOptions o, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        o.LocalCertificate = certificate;
        o.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        o.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        // Replaces the default chain check (which a self-signed certificate fails) with the pin; see ClusterCertificate.
        o.RemoteCertificateValidation = (peer, _, _) => ClusterCertificate.IsClusterPeer(certificate, peer);
    }
}
