namespace BroadcastGrains.Host.SettingsSessions;

/// <summary>The body of <c>POST …/settings-sessions</c>: <c>{}</c> or <c>{"ttl_seconds": N}</c>.</summary>
public sealed class SettingsSessionRequest
{
    public const int MinTtlSeconds = 60;
    public const int MaxTtlSeconds = 86_400;
    public const int DefaultTtlSeconds = 3_600;

    /// <summary>How long the token works, in seconds: 60 to 86400, default 3600.</summary>
    public long? TtlSeconds { get; set; }
}
