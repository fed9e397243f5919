using BroadcastGrains.Host.SettingsSessions;
using Microsoft.Extensions.Time.Testing;

namespace BroadcastGrains.Tests.SettingsSessions;

/// <summary>The per-silo cache of settings generations: its 2 s bound, local revocation and its size bound.</summary>
public class SettingsGenerationsTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly Dictionary<string, long> _grains = new();
    private int _reads;

    private SettingsGenerations Cache() => new(ws =>
    {
        _reads++;
        return Task.FromResult(_grains.GetValueOrDefault(ws));
    }, _clock);

    [Fact]
    public async Task A_reading_serves_for_the_ttl_then_is_read_again()
    {
        var cache = Cache();
        Assert.Equal(0, await cache.CurrentAsync("ws_a", 0));
        _grains["ws_a"] = 1; // revoked through another silo
        _clock.Advance(SettingsGenerations.Ttl - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await cache.CurrentAsync("ws_a", 0));
        Assert.Equal(1, _reads);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await cache.CurrentAsync("ws_a", 0));
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task A_revocation_through_this_silo_takes_effect_at_once()
    {
        var cache = Cache();
        Assert.Equal(0, await cache.CurrentAsync("ws_a", 0));
        cache.Revoked("ws_a", 1);
        Assert.Equal(1, await cache.CurrentAsync("ws_a", 0));
        Assert.Equal(1, _reads);
    }

    [Fact]
    public async Task A_token_newer_than_the_cached_generation_makes_it_read_again()
    {
        var cache = Cache();
        Assert.Equal(0, await cache.CurrentAsync("ws_a", 0));
        _grains["ws_a"] = 1;
        Assert.Equal(1, await cache.CurrentAsync("ws_a", 1));
        Assert.Equal(2, _reads);
        Assert.Equal(1, await cache.CurrentAsync("ws_a", 0));
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task The_cache_never_holds_more_than_its_bound_and_drops_expired_entries_first()
    {
        var cache = Cache();
        for (var i = 0; i < SettingsGenerations.MaxEntries + 100; i++) await cache.CurrentAsync($"ws_{i}", 0);
        Assert.Equal(SettingsGenerations.MaxEntries, cache.Count);
        // Full of fresh entries: a new workspace is still answered, from the grain, without being cached.
        _grains["ws_new"] = 3;
        Assert.Equal(3, await cache.CurrentAsync("ws_new", 0));
        Assert.Equal(SettingsGenerations.MaxEntries, cache.Count);

        _clock.Advance(SettingsGenerations.Ttl);
        Assert.Equal(3, await cache.CurrentAsync("ws_new", 0));
        Assert.Equal(1, cache.Count);
    }
}
