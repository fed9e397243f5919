using Orleans.Runtime;

namespace BroadcastGrains.Grains.Placement;

/// <summary>
/// The owner of each workspace as this silo's membership view has it: the same function over the same active silos
/// as <see cref="WorkspaceOwnerPlacementDirector"/>, so that ingest sends a workspace's records to the silo where its
/// grains are placed. The view is rebuilt only when the membership version changes; a lookup is one hash of the id
/// and one mix per silo, with no allocation.
/// </summary>
public sealed class WorkspaceOwners(IClusterMembershipService membership, ILocalSiloDetails local)
{
    /// <summary>One membership version's active silos, ordered; <see cref="Local"/> is this silo's index, -1 when it is not among them.</summary>
    public sealed record View(MembershipVersion Version, SiloAddress[] Silos, ulong[] Hashes, int Local)
    {
        public int OwnerIndex(string workspaceId) => Silos.Length == 1 ? 0 : OwnerRing.OwnerIndex(OwnerRing.WorkspaceHash(workspaceId), Hashes);
    }

    private View? _view;

    public SiloAddress LocalSilo => local.SiloAddress;

    public SiloAddress OwnerOf(string workspaceId)
    {
        var view = Current();
        return view.Silos[view.OwnerIndex(workspaceId)];
    }

    public bool OwnsLocally(string workspaceId) => OwnerOf(workspaceId).Equals(local.SiloAddress);

    /// <summary>The view as of the current membership version (rebuilt only when that changes).</summary>
    public View Current()
    {
        var snapshot = membership.CurrentSnapshot;
        if (_view is { } view && view.Version == snapshot.Version) return view;
        var silos = new List<SiloAddress>();
        foreach (var (address, member) in snapshot.Members)
        {
            if (member.Status == SiloStatus.Active) silos.Add(address);
        }
        if (silos.Count == 0) silos.Add(local.SiloAddress);
        silos.Sort();
        var hashes = new ulong[silos.Count];
        for (var i = 0; i < hashes.Length; i++) hashes[i] = OwnerRing.SiloHash(unchecked((uint)silos[i].GetConsistentHashCode()));
        var fresh = new View(snapshot.Version, silos.ToArray(), hashes, silos.IndexOf(local.SiloAddress));
        _view = fresh;
        return fresh;
    }
}
