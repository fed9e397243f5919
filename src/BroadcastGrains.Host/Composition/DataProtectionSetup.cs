using System.Security.Cryptography.X509Certificates;
using BroadcastGrains.Grains.KeyRing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Npgsql;

namespace BroadcastGrains.Host.Composition;

/// <summary>
/// ASP.NET Core Data Protection for the stored PostHog keys. The key ring is shared by every silo: in PostgreSQL
/// whenever the silo has a database (db/020), in memory otherwise, like the state it protects. The framework makes
/// and rotates the keys (a new one every 90 days; old ones stay to decrypt what they encrypted).
/// </summary>
public static class DataProtectionSetup
{
    public const string Section = "Broadcast:DataProtection";

    public static void Configure(WebApplicationBuilder builder, bool hasDatabase)
    {
        var config = builder.Configuration;
        var protection = builder.Services.AddDataProtection().SetApplicationName("broadcastgrains");
        var certificatePath = config[$"{Section}:CertificatePath"];
        if (!string.IsNullOrWhiteSpace(certificatePath))
        {
            // The ring's own keys are then encrypted too: a database dump alone no longer decrypts the API keys.
            protection.ProtectKeysWithCertificate(
                X509CertificateLoader.LoadPkcs12FromFile(certificatePath, config[$"{Section}:CertificatePassword"], X509KeyStorageFlags.EphemeralKeySet));
        }
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((o, sp) =>
            o.XmlRepository = hasDatabase ? new PostgresXmlRepository(sp.GetRequiredService<NpgsqlDataSource>()) : new MemoryXmlRepository());
        builder.Services.AddSingleton<ApiKeyProtector>();
    }

    /// <summary>Says plainly what a database copy gives away, once at start.</summary>
    public static void WarnIfRingUnprotected(WebApplication app, bool hasDatabase)
    {
        if (!hasDatabase || app.Environment.IsDevelopment() || !string.IsNullOrWhiteSpace(app.Configuration[$"{Section}:CertificatePath"])) return;
        app.Logger.LogWarning(
            "The Data Protection key ring that encrypts the stored PostHog API keys is kept unencrypted in broadcast_data_protection_keys: " +
            "a copy of the whole database can decrypt them. Set {Key} (a PFX) to encrypt the ring, or leave that table out of dumps you hand on.",
            $"{Section}:CertificatePath");
    }
}
