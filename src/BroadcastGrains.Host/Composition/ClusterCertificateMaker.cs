using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BroadcastGrains.Host.Composition;

/// <summary>
/// The <c>make-cert</c> command: a self-signed cluster certificate as a PFX, for a deployment (such as
/// docker-compose.yml) that has no certificate authority of its own.
/// </summary>
public static class ClusterCertificateMaker
{
    public static readonly TimeSpan Validity = TimeSpan.FromDays(5 * 365);

    /// <summary>Writes a new PFX at <c>Orleans:Tls:CertificatePath</c> unless one is there; true when it wrote one.</summary>
    /// <remarks>
    /// An existing file is kept: a restarted compose stack must not hand its silos a certificate that the ones still
    /// running do not pin.
    /// </remarks>
    public static bool WriteIfMissing(ClusterTlsOptions options, TimeProvider time)
    {
        var path = options.CertificatePath;
        if (string.IsNullOrWhiteSpace(path)) throw new InvalidOperationException($"{ClusterTlsOptions.PathKey} is required for make-cert.");
        if (File.Exists(path)) return false;

        using var certificate = Create(time.GetUtcNow());
        var pfx = certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, options.CertificatePassword);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        // Written aside and moved into place, so a silo never reads half a file; readable by this user only.
        var partial = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.partial");
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(partial, create))
        {
            stream.Write(pfx);
        }
        File.Move(partial, path);
        return true;
    }

    public static X509Certificate2 Create(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=broadcastgrains-cluster", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now + Validity);
    }
}
