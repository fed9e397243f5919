using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BroadcastGrains.Host.Composition;

/// <summary>
/// The one certificate every silo (and any trusted Orleans client) holds, and the rule by which a peer is trusted.
/// </summary>
/// <remarks>
/// A peer is trusted when it presents exactly our certificate (the same DER bytes); TLS has then proved that it
/// holds the matching private key, i.e. that it was given the cluster's PFX. Chain and name errors are ignored on
/// purpose: the docker-compose certificate is self-signed and silos address each other by IP, so neither a chain to
/// a public root nor a host name would say anything about membership, while trusting "any certificate a public CA
/// issued" would let anyone with a web server certificate in. Pinning to one certificate also means that rotating
/// it is a whole-cluster restart with the new PFX (a silo with the new one cannot talk to one with the old one).
/// </remarks>
public static class ClusterCertificate
{
    // Orleans' TLS middleware checks these too, but only on the first connection; checking at start names the key.
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>Loads the PFX, or throws naming the configuration key to fix.</summary>
    public static X509Certificate2 Load(ClusterTlsOptions options)
    {
        var path = options.CertificatePath;
        if (string.IsNullOrWhiteSpace(path)) throw new InvalidOperationException($"{ClusterTlsOptions.PathKey} is not set.");
        if (!File.Exists(path)) throw new InvalidOperationException($"{ClusterTlsOptions.PathKey}: no file at '{path}'.");

        X509ContentType type;
        try
        {
            type = X509Certificate2.GetCertContentType(path);
        }
        catch (CryptographicException)
        {
            type = X509ContentType.Unknown;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{ClusterTlsOptions.PathKey}: cannot read '{path}' ({e.Message}).", e);
        }
        if (type != X509ContentType.Pkcs12)
            throw new InvalidOperationException($"{ClusterTlsOptions.PathKey}: '{path}' is not a PFX (PKCS#12) file ({type}).");

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
        }
        catch (CryptographicException e)
        {
            // The file is a PFX, so what failed is opening it: the password.
            throw new InvalidOperationException($"{ClusterTlsOptions.PasswordKey} does not open the PFX at '{path}' ({e.Message}).", e);
        }

        string? problem = null;
        if (!certificate.HasPrivateKey) problem = "holds no private key";
        else if (!AllowsUsage(certificate, ServerAuthentication) || !AllowsUsage(certificate, ClientAuthentication))
            problem = "has an extended key usage that lacks server or client authentication (both sides of mutual TLS use it)";
        if (problem is not null)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"{ClusterTlsOptions.PathKey}: the certificate in '{path}' {problem}.");
        }
        return certificate;
    }

    /// <summary>The peer is one of us when it presents the very certificate we hold (see the class remarks).</summary>
    public static bool IsClusterPeer(X509Certificate2 local, X509Certificate2 peer) =>
        peer.RawDataMemory.Span.SequenceEqual(local.RawDataMemory.Span);

    private static bool AllowsUsage(X509Certificate2 certificate, string oid)
    {
        var restricted = false;
        foreach (var extension in certificate.Extensions)
        {
            if (extension is not X509EnhancedKeyUsageExtension usage) continue;
            restricted = true;
            foreach (var allowed in usage.EnhancedKeyUsages)
            {
                if (allowed.Value == oid) return true;
            }
        }
        return !restricted;
    }
}
