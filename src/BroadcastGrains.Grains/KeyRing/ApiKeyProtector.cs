using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace BroadcastGrains.Grains.KeyRing;

/// <summary>
/// PostHog project keys as they are stored: encrypted with ASP.NET Core Data Protection under the key ring every
/// silo shares, so a copy of the grain state (a dump, a backup, a log of a row) holds no usable <c>phc_</c> key.
/// Stored form: <c>dp1:</c> + base64url of the protected bytes. Anything without the marker is a key saved before
/// encryption existed; <see cref="Reveal"/> says so, and the grain writes it back encrypted on that first load.
/// </summary>
public sealed class ApiKeyProtector(IDataProtectionProvider provider)
{
    /// <summary>Bumped only with a new format; the purpose isolates these ciphertexts from any other use of the ring.</summary>
    private const string Marker = "dp1:";

    private readonly IDataProtector _protector = provider.CreateProtector("BroadcastGrains.Destinations.ApiKey.v1");

    public static bool IsProtected(string stored) => stored.StartsWith(Marker, StringComparison.Ordinal);

    public string Protect(string apiKey) =>
        Marker + Base64Url.EncodeToString(_protector.Protect(Encoding.UTF8.GetBytes(apiKey)));

    /// <summary>The plain key of a stored one, and whether it was stored in the clear (so must be re-saved).</summary>
    /// <exception cref="CryptographicException">The ring no longer holds the key it was encrypted with.</exception>
    public (string ApiKey, bool WasPlain) Reveal(string stored)
    {
        if (!IsProtected(stored)) return (stored, true);
        var bytes = FromBase64Url(stored.AsSpan(Marker.Length));
        return (Encoding.UTF8.GetString(_protector.Unprotect(bytes)), false);
    }

    private static byte[] FromBase64Url(ReadOnlySpan<char> text)
    {
        try
        {
            return Base64Url.DecodeFromChars(text);
        }
        catch (FormatException ex)
        {
            throw new CryptographicException("The stored API key is not in the protected format.", ex);
        }
    }
}
