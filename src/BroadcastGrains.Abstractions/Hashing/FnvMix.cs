namespace BroadcastGrains.Hashing;

/// <summary>
/// The pieces of the hashes whose values every silo and every restart must agree on (session sampling, workspace
/// ownership): FNV-1a 64, finalised with MurmurHash3's fmix64. FNV-1a alone mixes poorly into the high bits for
/// inputs that differ only at the end (session_1, session_2, …); the finaliser spreads every input bit over the word.
/// </summary>
public static class FnvMix
{
    public const ulong FnvOffsetBasis = 0xcbf29ce484222325;
    public const ulong FnvPrime = 0x100000001b3;

    public static ulong AppendByte(ulong hash, byte value) => (hash ^ value) * FnvPrime;

    /// <summary>MurmurHash3's fmix64.</summary>
    public static ulong Mix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdUL;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53UL;
        k ^= k >> 33;
        return k;
    }
}
