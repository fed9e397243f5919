using BroadcastGrains.Destinations;

namespace BroadcastGrains.Workspaces;

/// <summary>
/// A tenant: the broadcast switch and the ids of its destinations. Keyed by workspace id. Ingest does not pass
/// through it: front ends route records straight to the destination grains (see <see cref="GetRoute"/>), and
/// the switch is pushed down to every destination so that turning broadcast off takes effect at once everywhere.
/// </summary>
public interface IWorkspaceGrain : IGrainWithStringKey
{
    /// <summary>The switch and the destination ids: what the API shows and what ingest routes by.</summary>
    [AlwaysInterleave]
    Task<WorkspaceRoute> GetRoute();

    Task SetBroadcast(bool enabled);

    /// <summary>Creates a destination with a new id; null when the workspace already has the maximum.</summary>
    Task<string?> AddDestination(DestinationConfig config);

    Task<bool> RemoveDestination(string destinationId);

    /// <summary>
    /// Records whether a destination sends prompt and completion text, after a change of its privacy mode or its
    /// switch. The front end calls it before a change that stops text and after one that starts it, so that the
    /// workspace never claims text is wanted by a destination that no longer sends it.
    /// </summary>
    Task SetSendsText(string destinationId, bool sendsText);

    /// <summary>
    /// The workspace's settings-session generation: a settings token carries the value read when it was made and is
    /// valid only while the workspace still holds that value (CONTRACT §8.4).
    /// </summary>
    [AlwaysInterleave]
    Task<long> GetSettingsGeneration();

    /// <summary>Revokes every settings token made until now by moving to the next generation; returns it.</summary>
    Task<long> RevokeSettingsSessions();
}
