namespace BroadcastGrains.Host.Composition;

/// <summary>Bound from <c>Orleans:Tls</c> (CONTRACT §8.3): the shared cluster certificate for mutual TLS.</summary>
public sealed class ClusterTlsOptions
{
    public const string Section = "Orleans:Tls";
    public const string PathKey = Section + ":CertificatePath";
    public const string PasswordKey = Section + ":CertificatePassword";

    /// <summary>A PFX holding the certificate and its private key; unset means silo and gateway ports run without TLS.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    public static ClusterTlsOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<ClusterTlsOptions>() ?? new ClusterTlsOptions();
}
