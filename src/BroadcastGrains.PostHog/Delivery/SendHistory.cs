namespace BroadcastGrains.PostHog.Delivery;

/// <summary>
/// What the gate remembers about one destination's sends. Each destination sends single-flight, so only one send
/// reads or writes it at a time. It lives as long as the destination's activation: a destination that hung, was
/// deactivated and comes back starts in the main lane again and is caught by the hang threshold once more.
/// </summary>
public sealed class SendHistory
{
    /// <summary>Its last send got no answer in time: the next one goes to the slow lane, with the shorter deadline.</summary>
    public bool LastSendHung { get; internal set; }
}
