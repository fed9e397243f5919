namespace BroadcastGrains.Host.SettingsSessions;

/// <summary>
/// What a settings token holds once unprotected: the one workspace it opens, when it was made, the workspace's
/// settings generation at that moment (revocation, CONTRACT §8.4) and when it expires.
/// </summary>
public readonly record struct SettingsToken(string WorkspaceId, DateTimeOffset IssuedAt, long Generation, DateTimeOffset ExpiresAt);
