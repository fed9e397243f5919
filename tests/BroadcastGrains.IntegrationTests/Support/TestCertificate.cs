using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BroadcastGrains.IntegrationTests.Support;

/// <summary>A self-signed certificate made in the test and written to a temporary PFX, deleted on dispose.</summary>
public sealed class TestCertificate : IDisposable
{
    private TestCertificate(X509Certificate2 certificate, string path, string password)
    {
        Certificate = certificate;
        Path = path;
        Password = password;
    }

    public X509Certificate2 Certificate { get; }
    public string Path { get; }
    public string Password { get; }

    /// <summary>The settings that give a silo process this certificate (environment variable names).</summary>
    public Dictionary<string, string> SiloEnvironment() => new()
    {
        ["Orleans__Tls__CertificatePath"] = Path,
        ["Orleans__Tls__CertificatePassword"] = Password,
    };

    public static TestCertificate Create(string subject = "CN=test-cluster")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        using var made = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(365));
        var password = Guid.NewGuid().ToString("N");
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"bg-cert-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, made.Export(X509ContentType.Pfx, password));
        return new TestCertificate(X509CertificateLoader.LoadPkcs12FromFile(path, password), path, password);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        File.Delete(Path);
    }
}
