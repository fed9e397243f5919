using System.Buffers.Text;
using System.Text;
using BroadcastGrains.Host.SettingsSessions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Time.Testing;

namespace BroadcastGrains.Tests.SettingsSessions;

/// <summary>CONTRACT §8.4: settings tokens hold nothing readable, cannot be forged or altered, and expire by the host's clock.</summary>
public class SettingsTokenCodecTests
{
    private readonly EphemeralDataProtectionProvider _ring = new();
    // Starts at the real time: the time-limited protector inside also checks the expiry against the system clock.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private SettingsTokenCodec Codec() => new(_ring, _clock);

    [Fact]
    public void A_token_reads_back_its_workspace_generation_issue_time_and_expiry()
    {
        var now = _clock.GetUtcNow();
        var token = Codec().Issue("ws_tenant-42", 7, TimeSpan.FromSeconds(3600), out var expiresAt);

        Assert.StartsWith("bgs_", token);
        Assert.Equal(0, expiresAt.Ticks % TimeSpan.TicksPerSecond);
        Assert.InRange(expiresAt, now.AddSeconds(3599), now.AddSeconds(3600));
        Assert.Equal(SettingsTokenStatus.Valid, Codec().TryRead(token, out var read));
        Assert.Equal("ws_tenant-42", read.WorkspaceId);
        Assert.Equal(7, read.Generation);
        Assert.Equal(expiresAt, read.ExpiresAt);
        Assert.Equal(now.ToUnixTimeMilliseconds(), read.IssuedAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void A_token_holds_its_workspace_id_only_encrypted()
    {
        var token = Codec().Issue("ws_readable_name", 0, TimeSpan.FromMinutes(5), out _);
        Assert.DoesNotContain("ws_readable_name", token);
        var bytes = Base64Url.DecodeFromChars(token.AsSpan("bgs_".Length));
        Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("ws_readable_name")));
        // Only URL-safe characters: it travels in a URL fragment and a header unescaped.
        Assert.Matches("^bgs_[A-Za-z0-9_-]+$", token);
    }

    [Fact]
    public void A_token_expires_by_the_hosts_clock()
    {
        var token = Codec().Issue("ws_a", 0, TimeSpan.FromSeconds(60), out var expiresAt);
        _clock.SetUtcNow(expiresAt.AddTicks(-1));
        Assert.Equal(SettingsTokenStatus.Valid, Codec().TryRead(token, out _));
        _clock.SetUtcNow(expiresAt);
        Assert.Equal(SettingsTokenStatus.Expired, Codec().TryRead(token, out var read));
        Assert.Equal("ws_a", read.WorkspaceId);
    }

    [Fact]
    public void A_token_past_its_expiry_by_the_system_clock_is_refused_whatever_the_hosts_clock_says()
    {
        var token = Codec().Issue("ws_a", 0, TimeSpan.FromSeconds(-10), out _);
        Assert.Equal(SettingsTokenStatus.Invalid, Codec().TryRead(token, out _));
    }

    [Fact]
    public void Every_altered_character_makes_the_token_invalid()
    {
        var token = Codec().Issue("ws_a", 0, TimeSpan.FromMinutes(5), out _);
        for (var i = "bgs_".Length; i < token.Length; i++)
        {
            var altered = token.ToCharArray();
            altered[i] = altered[i] == 'A' ? 'B' : 'A';
            Assert.Equal(SettingsTokenStatus.Invalid, Codec().TryRead(new string(altered), out _));
        }
        Assert.Equal(SettingsTokenStatus.Invalid, Codec().TryRead(token[..^4], out _));
        Assert.Equal(SettingsTokenStatus.Invalid, Codec().TryRead(token + "AAAA", out _));
    }

    [Theory]
    [InlineData("bgs_")]
    [InlineData("bgs_abc")]
    [InlineData("bgs_!!!!")]
    [InlineData("bgs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("dev-admin-token")]
    [InlineData("")]
    public void Garbage_is_invalid_and_throws_nothing(string value)
    {
        Assert.Equal(SettingsTokenStatus.Invalid, Codec().TryRead(value, out _));
    }

    [Fact]
    public void An_overlong_value_is_refused_without_decoding()
    {
        Assert.Equal(SettingsTokenStatus.Invalid, Codec().TryRead("bgs_" + new string('A', SettingsTokenCodec.MaxLength), out _));
    }

    [Fact]
    public void A_token_of_another_key_ring_is_invalid()
    {
        var foreign = new SettingsTokenCodec(new EphemeralDataProtectionProvider(), _clock).Issue("ws_a", 0, TimeSpan.FromMinutes(5), out _);
        Assert.Equal(SettingsTokenStatus.Invalid, Codec().TryRead(foreign, out _));
    }

    [Fact]
    public void A_payload_protected_for_another_purpose_is_invalid()
    {
        // Same ring, same time-limited wrapping, another purpose (as another feature of ours would use).
        var other = _ring.CreateProtector("BroadcastGrains.Other").ToTimeLimitedDataProtector()
            .Protect(Encoding.UTF8.GetBytes("\u0001ws_a"), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(SettingsTokenStatus.Invalid, Codec().TryRead("bgs_" + Base64Url.EncodeToString(other), out _));
    }
}
