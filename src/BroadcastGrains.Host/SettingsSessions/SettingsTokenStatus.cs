namespace BroadcastGrains.Host.SettingsSessions;

/// <summary>Why a settings token was refused; each becomes the sentence of its 401.</summary>
public enum SettingsTokenStatus
{
    Valid,

    /// <summary>Not a token we made: garbage, tampered with, cut short, or made with a key this cluster does not have.</summary>
    Invalid,

    Expired,

    /// <summary>The workspace's sessions were revoked after the token was made.</summary>
    Revoked,
}
