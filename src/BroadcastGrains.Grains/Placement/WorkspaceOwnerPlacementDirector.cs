using Orleans.Runtime.Placement;

namespace BroadcastGrains.Grains.Placement;

/// <summary>
/// Chooses the owner of the grain's workspace among the silos that can host it. Placement runs once per activation,
/// so this is off the per-trace path; the silo hashes are kept for the last silo list seen.
/// </summary>
public sealed class WorkspaceOwnerPlacementDirector : IPlacementDirector
{
    private (SiloAddress[] Silos, ulong[] Hashes)? _last;

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 0) throw new OrleansException($"No compatible silo is available for {target.GrainIdentity}.");
        if (IPlacementDirector.GetPlacementHint(target.RequestContextData, silos) is { } hint) return Task.FromResult(hint);
        var hashes = HashesOf(silos);
        var workspace = OwnerRing.WorkspaceOfKey(target.GrainIdentity.Key.ToString());
        return Task.FromResult(silos[OwnerRing.OwnerIndex(OwnerRing.WorkspaceHash(workspace), hashes)]);
    }

    private ulong[] HashesOf(SiloAddress[] silos)
    {
        if (_last is { } last && ReferenceEquals(last.Silos, silos)) return last.Hashes;
        var hashes = new ulong[silos.Length];
        for (var i = 0; i < silos.Length; i++) hashes[i] = OwnerRing.SiloHash(unchecked((uint)silos[i].GetConsistentHashCode()));
        _last = (silos, hashes);
        return hashes;
    }
}
