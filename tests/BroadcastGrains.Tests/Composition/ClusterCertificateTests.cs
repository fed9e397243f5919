using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BroadcastGrains.Host.Auth;
using BroadcastGrains.Host.Composition;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace BroadcastGrains.Tests.Composition;

/// <summary>Loading the cluster PFX, the start-up messages for a bad one, the peer pin and <c>make-cert</c>.</summary>
public sealed class ClusterCertificateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bg-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_missing_file_stops_start_up_naming_the_path_key()
    {
        var message = StartUpFailure(new() { ["Orleans:Tls:CertificatePath"] = Path.Combine(_dir, "absent.pfx") });
        Assert.Contains("Orleans:Tls:CertificatePath", message);
        Assert.Contains("absent.pfx", message);
    }

    [Fact]
    public void A_file_that_is_not_a_pfx_stops_start_up_naming_the_path_key()
    {
        var path = Path.Combine(_dir, "cluster.pfx");
        File.WriteAllText(path, "not a certificate");
        var message = StartUpFailure(new() { ["Orleans:Tls:CertificatePath"] = path });
        Assert.Contains("Orleans:Tls:CertificatePath", message);
        Assert.Contains("not a PFX", message);
    }

    [Fact]
    public void A_wrong_password_stops_start_up_naming_the_password_key()
    {
        var path = WritePfx(SelfSigned(withClientAuth: true), "right");
        var message = StartUpFailure(new() { ["Orleans:Tls:CertificatePath"] = path, ["Orleans:Tls:CertificatePassword"] = "wrong" });
        Assert.Contains("Orleans:Tls:CertificatePassword", message);
    }

    [Fact]
    public void A_password_without_a_path_stops_start_up_naming_the_path_key()
    {
        var message = StartUpFailure(new() { ["Orleans:Tls:CertificatePassword"] = "secret" });
        Assert.Contains("Orleans:Tls:CertificatePath is required", message);
    }

    [Fact]
    public void A_certificate_only_for_servers_is_refused_at_start_because_silos_are_clients_too()
    {
        var path = WritePfx(SelfSigned(withClientAuth: false), "pw");
        var message = StartUpFailure(new() { ["Orleans:Tls:CertificatePath"] = path, ["Orleans:Tls:CertificatePassword"] = "pw" });
        Assert.Contains("Orleans:Tls:CertificatePath", message);
        Assert.Contains("client authentication", message);
    }

    [Fact]
    public void A_certificate_without_its_private_key_is_refused_at_start()
    {
        using var full = SelfSigned(withClientAuth: true);
        using var publicOnly = X509CertificateLoader.LoadCertificate(full.RawData);
        var path = Path.Combine(_dir, "public.pfx");
        File.WriteAllBytes(path, publicOnly.Export(X509ContentType.Pfx, "pw"));
        var message = StartUpFailure(new() { ["Orleans:Tls:CertificatePath"] = path, ["Orleans:Tls:CertificatePassword"] = "pw" });
        Assert.Contains("no private key", message);
    }

    [Fact]
    public void A_good_pfx_passes_validation_and_loads_with_its_key()
    {
        var path = WritePfx(SelfSigned(withClientAuth: true), "pw");
        StartupValidation.Validate(Configuration(new() { ["Orleans:Tls:CertificatePath"] = path, ["Orleans:Tls:CertificatePassword"] = "pw" }),
            new Environment(), new BroadcastOptions(), Tokens());
        using var loaded = ClusterCertificate.Load(new ClusterTlsOptions { CertificatePath = path, CertificatePassword = "pw" });
        Assert.True(loaded.HasPrivateKey);
    }

    [Fact]
    public void Only_the_very_same_certificate_is_a_peer()
    {
        using var ours = SelfSigned(withClientAuth: true);
        using var sameAgain = X509CertificateLoader.LoadCertificate(ours.RawData);
        using var sameSubjectOtherKey = SelfSigned(withClientAuth: true);
        Assert.Equal(ours.Subject, sameSubjectOtherKey.Subject);

        Assert.True(ClusterCertificate.IsClusterPeer(ours, sameAgain));
        Assert.False(ClusterCertificate.IsClusterPeer(ours, sameSubjectOtherKey));
    }

    [Fact]
    public void Make_cert_writes_a_loadable_pfx_once_and_keeps_it_afterwards()
    {
        var options = new ClusterTlsOptions { CertificatePath = Path.Combine(_dir, "certs", "cluster.pfx"), CertificatePassword = "pw" };
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));

        Assert.True(ClusterCertificateMaker.WriteIfMissing(options, time));
        var first = File.ReadAllBytes(options.CertificatePath);
        using (var made = ClusterCertificate.Load(options))
        {
            Assert.Equal(time.GetUtcNow() + ClusterCertificateMaker.Validity, new DateTimeOffset(made.NotAfter.ToUniversalTime()));
        }
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(options.CertificatePath));

        Assert.False(ClusterCertificateMaker.WriteIfMissing(options, time));
        Assert.Equal(first, File.ReadAllBytes(options.CertificatePath));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(options.CertificatePath)!));
    }

    private static string StartUpFailure(Dictionary<string, string?> settings)
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            StartupValidation.Validate(Configuration(settings), new Environment(), new BroadcastOptions(), Tokens()));
        return e.Message;
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    private static AuthOptions Tokens() => new() { AdminTokens = ["a"], IngestTokens = ["i"] };

    private string WritePfx(X509Certificate2 certificate, string password)
    {
        using (certificate)
        {
            var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".pfx");
            File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
            return path;
        }
    }

    private static X509Certificate2 SelfSigned(bool withClientAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=cluster", key, HashAlgorithmName.SHA256);
        var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") };
        if (withClientAuth) usages.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
    }

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";
        public string ApplicationName { get; set; } = "tests";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
