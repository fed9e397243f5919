namespace BroadcastGrains.Host.SettingsSessions;

/// <param name="Token">The bearer token for the workspace's own endpoints.</param>
/// <param name="Url">The settings page, with the token in the fragment, which browsers never send to a server.</param>
/// <param name="ExpiresAt">When the token stops working, UTC.</param>
public sealed record SettingsSessionResponse(string Token, string Url, DateTime ExpiresAt);
