using System.Text;
using BroadcastGrains.Hashing;

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

        var hash = FnvMix.FnvOffsetBasis;
        hash = Append(hash, destinationId);
        hash = FnvMix.AppendByte(hash, (byte)'\n');
        hash = Append(hash, key);
        hash = FnvMix.Mix(hash);
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    private static ulong Append(ulong hash, string value)
    {
        // Encoding rune by rune hashes the UTF-8 bytes without allocating them; lone surrogates become
        // U+FFFD exactly as Encoding.UTF8 would encode them.
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            var count = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < count; i++) hash = FnvMix.AppendByte(hash, utf8[i]);
        }
        return hash;
    }
}
