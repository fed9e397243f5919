using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using BroadcastGrains.Traces;
using Microsoft.AspNetCore.DataProtection;

namespace BroadcastGrains.Host.SettingsSessions;

/// <summary>
/// Makes and reads settings tokens: <c>bgs_</c> and the Base64Url of a payload protected by Data Protection's
/// time-limited protector, so the token holds nothing readable and nothing forgeable (CONTRACT §8.4). The key ring is
/// shared by every silo, so a token made on one silo reads on every other.
/// </summary>
/// <remarks>
/// The time-limited protector checks the expiry against the system clock; the codec checks it again against its
/// <see cref="TimeProvider"/>, so that expiry follows the host's clock and can be tested with a fake one.
/// </remarks>
public sealed class SettingsTokenCodec(IDataProtectionProvider provider, TimeProvider clock)
{
    public const string Prefix = "bgs_";

    /// <summary>Longer than any token we make (about 200 characters for a 64-character workspace id): not worth decoding.</summary>
    public const int MaxLength = 1024;

    private const string Purpose = "BroadcastGrains.SettingsSession.v1";
    private const byte FormatVersion = 1;
    private const int HeaderSize = 1 + 8 + 8;

    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector(Purpose).ToTimeLimitedDataProtector();

    /// <summary>A token for <paramref name="workspaceId"/> that expires <paramref name="lifetime"/> from now, in whole seconds.</summary>
    public string Issue(string workspaceId, long generation, TimeSpan lifetime, out DateTimeOffset expiresAt)
    {
        var now = clock.GetUtcNow();
        // Whole seconds: the expiry the caller is told (expires_at) is exactly the one the token holds.
        expiresAt = new DateTimeOffset((now + lifetime).UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var payload = new byte[HeaderSize + Encoding.UTF8.GetByteCount(workspaceId)];
        payload[0] = FormatVersion;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(1), now.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(9), generation);
        Encoding.UTF8.GetBytes(workspaceId, payload.AsSpan(HeaderSize));
        return Prefix + Base64Url.EncodeToString(_protector.Protect(payload, expiresAt));
    }

    /// <summary>Whether <paramref name="value"/> looks like a settings token at all (then no other kind of token is tried).</summary>
    public static bool IsSettingsToken(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Reads a token; anything but <see cref="SettingsTokenStatus.Valid"/> or <see cref="SettingsTokenStatus.Expired"/> is <see cref="SettingsTokenStatus.Invalid"/>.</summary>
    public SettingsTokenStatus TryRead(string value, out SettingsToken token)
    {
        token = default;
        if (!IsSettingsToken(value) || value.Length > MaxLength) return SettingsTokenStatus.Invalid;
        byte[] payload;
        DateTimeOffset expiresAt;
        try
        {
            payload = _protector.Unprotect(Base64Url.DecodeFromChars(value.AsSpan(Prefix.Length)), out expiresAt);
        }
        catch (FormatException)
        {
            return SettingsTokenStatus.Invalid;
        }
        catch (CryptographicException)
        {
            // Tampered, made by another ring, or past its expiry by the system clock: the protector does not say which,
            // and only the payload of a token we made could tell (it is unreadable then).
            return SettingsTokenStatus.Invalid;
        }
        if (payload.Length <= HeaderSize || payload[0] != FormatVersion) return SettingsTokenStatus.Invalid;
        string workspaceId;
        try
        {
            workspaceId = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload.AsSpan(HeaderSize));
        }
        catch (DecoderFallbackException)
        {
            return SettingsTokenStatus.Invalid;
        }
        if (!WorkspaceId.IsValid(workspaceId)) return SettingsTokenStatus.Invalid;
        var issuedAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(1)));
        token = new SettingsToken(workspaceId, issuedAt, BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(9)), expiresAt);
        return clock.GetUtcNow() < expiresAt ? SettingsTokenStatus.Valid : SettingsTokenStatus.Expired;
    }
}
