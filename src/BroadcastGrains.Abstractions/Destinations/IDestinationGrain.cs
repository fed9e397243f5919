using BroadcastGrains.Delivery;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Destinations;

/// <summary>One PostHog destination of one workspace, keyed by <see cref="DestinationIdentity.Key"/>.
/// It owns the config, the outbox of mapped events and the delivery loop with its backoff.</summary>
public interface IDestinationGrain : IGrainWithStringKey
{
    /// <summary>Saves the first config and the workspace's switch; false when the destination already exists.</summary>
    Task<bool> Create(DestinationConfig config, bool broadcastEnabled);

    /// <summary>Null when the destination does not exist.</summary>
    [AlwaysInterleave]
    Task<DestinationView?> GetView();

    Task<DestinationSnapshot?> GetSnapshot();

    /// <summary>False when the destination is gone or changed since the snapshot.</summary>
    Task<bool> Update(DestinationUpdate update);

    /// <summary>
    /// The workspace's broadcast switch, pushed down by the workspace grain: while it is off, Enqueue skips
    /// records even when a front end's cached route still lists this destination.
    /// </summary>
    Task SetBroadcast(bool enabled);

    /// <summary>Removes the destination; pending events are discarded and counted.</summary>
    Task<bool> Delete();

    /// <summary>
    /// Maps and stores the records; returns once they are stored (committed in Postgres mode, either in the
    /// destination's outbox or, with a <paramref name="ticket"/> from this silo, in the ingest journal). The ticket is
    /// an offer, never a duty: a destination that lives elsewhere, backs off or is short of memory writes rows.
    /// </summary>
    Task<EnqueueResult> Enqueue([Immutable] IReadOnlyList<TraceRecord> records, JournalTicket? ticket);

    [AlwaysInterleave]
    Task<IReadOnlyList<DeadLetter>> GetDeadLetters(int limit);

    /// <summary>
    /// Moves the oldest replayable dead letters back into the pending events, at most as many as the backlog has
    /// room for (<c>MaxBacklog</c> minus pending), and says how many are left to replay.
    /// </summary>
    Task<ReplayResult> ReplayDeadLetters();

    /// <summary>Makes sure a destination with stored events is activated and its delivery loop is running.</summary>
    [AlwaysInterleave]
    Task Wake();
}
