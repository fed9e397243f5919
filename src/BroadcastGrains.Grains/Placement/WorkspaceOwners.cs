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
    private sealed record View(MembershipVersion Version, SiloAddress[] Silos, ulong[] Hashes);

    private View? _view;

    public SiloAddress LocalSilo => local.SiloAddress;

    /// <summary>The active silos of the current view, ordered; this silo alone while it is not yet active in it.</summary>
    public IReadOnlyList<SiloAddress> ActiveSilos => Current().Silos;

    public SiloAddress OwnerOf(string workspaceId)
    {
        var view = Current();
        return view.Silos.Length == 1 ? view.Silos[0] : view.Silos[OwnerRing.OwnerIndex(OwnerRing.WorkspaceHash(workspaceId), view.Hashes)];
    }

    public bool OwnsLocally(string workspaceId) => OwnerOf(workspaceId).Equals(local.SiloAddress);

    private View Current()
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
        var fresh = new View(snapshot.Version, silos.ToArray(), hashes);
        _view = fresh;
        return fresh;
    }
}
