using BroadcastGrains.Hashing;

namespace BroadcastGrains.Grains.Placement;

/// <summary>
/// Which silo owns a workspace: rendezvous (highest random weight) hashing of the workspace id over the cluster's
/// active silos. Every silo that sees the same set of silos computes the same owner, with no table to share; when a
/// silo joins, only the workspaces it now wins move (about 1/N of them), and when one leaves, only its own move,
/// spread over the rest. A lookup costs one mix per silo, which for the few silos of a cluster is cheaper than a
/// ring with virtual nodes and balances as well.
/// </summary>
public static class OwnerRing
{
    /// <summary>FNV-1a 64 over the id's UTF-16 code units, finalised with MurmurHash3's fmix64.</summary>
    public static ulong WorkspaceHash(ReadOnlySpan<char> workspaceId)
    {
        var h = FnvMix.FnvOffsetBasis;
        foreach (var c in workspaceId)
        {
            h = FnvMix.AppendByte(h, (byte)c);
            h = FnvMix.AppendByte(h, (byte)(c >> 8));
        }
        return FnvMix.Mix(h);
    }

    /// <summary>A silo's weight seed, from a hash that every silo computes alike for the same address and generation.</summary>
    public static ulong SiloHash(uint consistentHash) => FnvMix.Mix((((ulong)consistentHash << 32) | consistentHash) ^ 0x9E3779B97F4A7C15UL);

    /// <summary>
    /// Index of the owner among <paramref name="siloHashes"/>: the silo with the highest weight for this workspace.
    /// Equal weights (practically never) go to the larger silo hash, so the answer does not depend on the order.
    /// </summary>
    public static int OwnerIndex(ulong workspaceHash, ReadOnlySpan<ulong> siloHashes)
    {
        if (siloHashes.IsEmpty) throw new ArgumentException("No silos to own the workspace.", nameof(siloHashes));
        var best = 0;
        var bestWeight = FnvMix.Mix(workspaceHash ^ siloHashes[0]);
        for (var i = 1; i < siloHashes.Length; i++)
        {
            var weight = FnvMix.Mix(workspaceHash ^ siloHashes[i]);
            if (weight > bestWeight || (weight == bestWeight && siloHashes[i] > siloHashes[best]))
            {
                best = i;
                bestWeight = weight;
            }
        }
        return best;
    }

    /// <summary>The workspace part of a grain key: the workspace grain's whole key, a destination's "workspace/destination".</summary>
    public static ReadOnlySpan<char> WorkspaceOfKey(ReadOnlySpan<char> key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? key : key[..slash];
    }
}
