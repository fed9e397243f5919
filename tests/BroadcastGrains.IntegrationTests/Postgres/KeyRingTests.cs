using System.Security.Cryptography;
using BroadcastGrains.Grains.KeyRing;
using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.IntegrationTests.Support;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>The Data Protection key ring kept in PostgreSQL, as two silos (two service providers) see it.</summary>
public sealed class KeyRingTests
{
    [Fact]
    public async Task A_key_written_before_a_rotation_still_decrypts_on_another_silo_and_new_keys_use_the_new_ring_key()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var dataSource = NpgsqlDataSource.Create(db.ConnectionString);
        await SchemaMigrator.ApplyAsync(dataSource);

        using var first = Silo(dataSource);
        var keys = new ApiKeyProtector(first.GetRequiredService<IDataProtectionProvider>());
        var before = keys.Protect("phc_beforerotation1");
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM broadcast_data_protection_keys"));

        // Rotation: a new ring key becomes the default; the old one stays to decrypt what it encrypted.
        first.GetRequiredService<IKeyManager>().CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM broadcast_data_protection_keys"));

        using var second = Silo(dataSource);
        var otherSilo = new ApiKeyProtector(second.GetRequiredService<IDataProtectionProvider>());
        var after = otherSilo.Protect("phc_afterrotation22");

        Assert.Equal("phc_beforerotation1", otherSilo.Reveal(before).ApiKey);
        Assert.Equal("phc_afterrotation22", otherSilo.Reveal(after).ApiKey);
        Assert.NotEqual(RingKeyId(before), RingKeyId(after));

        using var third = Silo(dataSource);
        var later = new ApiKeyProtector(third.GetRequiredService<IDataProtectionProvider>());
        Assert.Equal("phc_beforerotation1", later.Reveal(before).ApiKey);
        Assert.Equal("phc_afterrotation22", later.Reveal(after).ApiKey);
    }

    [Fact]
    public async Task A_silo_with_an_empty_ring_cannot_decrypt_and_says_so_with_a_cryptographic_error()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var dataSource = NpgsqlDataSource.Create(db.ConnectionString);
        await SchemaMigrator.ApplyAsync(dataSource);
        using var first = Silo(dataSource);
        var stored = new ApiKeyProtector(first.GetRequiredService<IDataProtectionProvider>()).Protect("phc_lostringkey123");

        await using (var wipe = dataSource.CreateCommand("DELETE FROM broadcast_data_protection_keys")) await wipe.ExecuteNonQueryAsync();
        using var second = Silo(dataSource);
        Assert.ThrowsAny<CryptographicException>(() => new ApiKeyProtector(second.GetRequiredService<IDataProtectionProvider>()).Reveal(stored));
    }

    /// <summary>What the host registers, with the ring in this database.</summary>
    private static ServiceProvider Silo(NpgsqlDataSource dataSource)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection().SetApplicationName("broadcastgrains");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new PostgresXmlRepository(dataSource));
        return services.BuildServiceProvider();
    }

    /// <summary>A Data Protection payload starts with a 4-byte magic header and the 16-byte id of the ring key.</summary>
    private static Guid RingKeyId(string stored)
    {
        return new Guid(System.Buffers.Text.Base64Url.DecodeFromChars(stored.AsSpan("dp1:".Length)).AsSpan(4, 16));
    }
}
