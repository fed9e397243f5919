using System.Text;

namespace BroadcastGrains.PostHog.Mapping;

/// <summary>
/// Decides which records a destination keeps. Records of one session share a score, so a session is kept or
/// dropped as a whole; the score depends only on the input bytes, so every silo and every restart agrees.
/// </summary>
public static class SessionSampler
{
    public static bool Keep(string destinationId, string? sessionId, string generationId, double samplingRate)
    {
        // NaN also lands here: a broken rate should not silently discard a destination's data.
        if (!(samplingRate < 1)) return true;
        if (samplingRate <= 0) return false;
        return Score(destinationId, sessionId, generationId) < samplingRate;
    }

    /// <summary>
    /// A value in [0, 1) from destination id and session id (an empty session id counts as absent, else all
    /// records with "" would form one giant session), falling back to the generation id.
    /// </summary>
    internal static double Score(string destinationId, string? sessionId, string generationId)
    {
        ArgumentNullException.ThrowIfNull(destinationId);
        ArgumentNullException.ThrowIfNull(generationId);
        var key = string.IsNullOrEmpty(sessionId) ? generationId : sessionId;

        var hash = FnvOffsetBasis;
        hash = Append(hash, destinationId);
        hash = (hash ^ (byte)'\n') * FnvPrime;
        hash = Append(hash, key);

        // FNV-1a mixes poorly into the bits we use for small inputs that differ only at the end
        // (session_1, session_2, ...); the MurmurHash3 finaliser spreads every input bit over the whole word.
        hash = Mix(hash);
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    private const ulong FnvOffsetBasis = 0xcbf29ce484222325;
    private const ulong FnvPrime = 0x100000001b3;

    private static ulong Append(ulong hash, string value)
    {
        // Encoding rune by rune hashes the UTF-8 bytes without allocating them; lone surrogates become
        // U+FFFD exactly as Encoding.UTF8 would encode them.
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            var count = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < count; i++) hash = (hash ^ utf8[i]) * FnvPrime;
        }
        return hash;
    }

    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccd;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53;
        h ^= h >> 33;
        return h;
    }
}
