using Orleans.Configuration;

namespace BroadcastGrains.Host.Composition;

/// <summary>
/// Our production membership clocks, applied before <c>Orleans:Membership:*</c> is bound (so every value stays
/// configurable).
/// </summary>
/// <remarks>
/// Why not Orleans' defaults: a silo killed with -9 stays <c>Active</c> in the membership table, and a joining
/// silo stays <c>Joining</c> (not ready) until every Active row answers a ping or is declared dead. Orleans 10
/// retires such a row through the normal protocol only (no supported "delete the row at start"): a Joining silo
/// watches peers whose heartbeat is stale (older than <c>IAmAliveTablePublishTimeout</c> ×
/// <c>NumMissedTableIAmAliveLimit</c>), noticed when its table view changes or every
/// <c>TableRefreshTimeout</c>; after <c>NumMissedProbesLimit</c> failed probes its own vote is enough, because
/// a stale silo does not count towards the votes needed. With the defaults (30 s × 3, 60 s, 5 s probes) a
/// replacement for the only silo waited about 110 s; with these about 15 s (measured; at worst about 25 s):
/// stale after at most 9 s, seen within 5 s, three probes about 2 s apart, the join check retried every 2 s.
/// (Joining silos take part in this since Orleans' "validate connectivity in explicit ValidateInitialConnectivity
/// stage", dotnet/orleans#10153; ReplacedSiloTests holds us to 30 s.)
///
/// The price, and why it is small: each silo writes its heartbeat row every 3 s and reads the (small) table
/// every 5 s. A shorter <see cref="ClusterMembershipOptions.ProbeTimeout"/> (Orleans adapts the effective timeout
/// per peer between half and four times it) makes a live but stalled silo look dead sooner, but a death vote
/// still needs <c>NumMissedProbesLimit</c> missed probes, is suppressed while an open connection from that
/// silo carried anything in the last <c>MaxProbeTimeout</c> × <c>NumMissedProbesLimit</c> (8 s × 3 = 24 s here,
/// 60 s with Orleans' 5 s), and in a cluster of three or more needs two voters. A stale heartbeat alone (e.g.
/// PostgreSQL away for a few seconds) declares nothing. In exchange a hung silo is declared dead about 24 s
/// after its last message instead of about 60 s (a killed one, whose connections drop, in seconds either way).
/// </remarks>
public static class MembershipDefaults
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(3);
    public const int NumMissedTableIAmAliveLimit = 3;
    public static readonly TimeSpan TableRefreshTimeout = TimeSpan.FromSeconds(5);

    public static void Apply(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = ProbeTimeout;
        options.IAmAliveTablePublishTimeout = IAmAliveTablePublishTimeout;
        options.NumMissedTableIAmAliveLimit = NumMissedTableIAmAliveLimit;
        options.TableRefreshTimeout = TableRefreshTimeout;
    }
}
