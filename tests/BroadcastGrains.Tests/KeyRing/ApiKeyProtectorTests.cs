using System.Security.Cryptography;
using BroadcastGrains.Grains.KeyRing;
using CsCheck;
using Microsoft.AspNetCore.DataProtection;

namespace BroadcastGrains.Tests.KeyRing;

public class ApiKeyProtectorTests
{
    private readonly ApiKeyProtector _keys = new(new EphemeralDataProtectionProvider());

    [Fact]
    public void A_protected_key_reveals_the_key_and_holds_none_of_it()
    {
        const string key = "phc_abcdefghijklmnopqrstuvwxyz0123";
        var stored = _keys.Protect(key);

        Assert.StartsWith("dp1:", stored);
        Assert.DoesNotContain("phc_", stored);
        Assert.DoesNotContain("abcdefghij", stored);
        Assert.True(ApiKeyProtector.IsProtected(stored));
        Assert.Equal((key, false), _keys.Reveal(stored));
    }

    [Fact]
    public void A_key_stored_in_the_clear_is_revealed_as_plain_so_that_it_is_encrypted_on_load()
    {
        Assert.Equal(("phc_storedbeforeencryption", true), _keys.Reveal("phc_storedbeforeencryption"));
    }

    [Fact]
    public void Every_protection_differs_but_all_reveal_the_same_key()
    {
        Gen.String[1, 200].Sample(key =>
        {
            var a = _keys.Protect(key);
            var b = _keys.Protect(key);
            Assert.NotEqual(a, b);
            Assert.Equal(key, _keys.Reveal(a).ApiKey);
            Assert.Equal(key, _keys.Reveal(b).ApiKey);
        }, iter: 200);
    }

    [Fact]
    public void Another_key_ring_cannot_reveal_it()
    {
        var stored = _keys.Protect("phc_abcdefghijklmnop");
        var other = new ApiKeyProtector(new EphemeralDataProtectionProvider());
        Assert.ThrowsAny<CryptographicException>(() => other.Reveal(stored));
    }

    [Theory]
    [InlineData("dp1:")]
    [InlineData("dp1:not base64 !")]
    [InlineData("dp1:AAAA")]
    public void A_damaged_ciphertext_is_a_cryptographic_error_not_a_crash_of_another_kind(string stored)
    {
        Assert.ThrowsAny<CryptographicException>(() => _keys.Reveal(stored));
    }
}
