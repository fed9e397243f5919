using System.Security.Cryptography;
using System.Text;

namespace BroadcastGrains.PostHog.Mapping;

/// <summary>
/// The <c>distinct_id</c> PostHog is sent for a user (or, for anonymous events, a trace) id. PostHog's capture
/// endpoint answers 200 for an event whose distinct_id is longer than 400 characters and its ingestion then drops
/// it, so we would count as delivered what nobody ever sees. Such an id is replaced by a shorter one that is
/// still stable (every event of that user gets the same one) and still readable (it starts with the id itself):
/// its first <see cref="PrefixLength"/> characters, then <c>~sha256:</c> and the SHA-256 of the whole id's UTF-8
/// bytes in lowercase hex. <c>$ai_user</c> / <c>$ai_trace_id</c> keep the whole value.
/// </summary>
public static class DistinctId
{
    /// <summary>PostHog's limit, in characters (UTF-16 code units, as its ingestion measures them).</summary>
    public const int MaxLength = 400;

    public const int PrefixLength = 200;

    private const string Marker = "~sha256:";

    public static string For(string id)
    {
        if (id.Length <= MaxLength) return id;
        // Never cut between the two halves of a surrogate pair: the prefix must stay valid UTF-16 (and UTF-8).
        var prefix = char.IsHighSurrogate(id[PrefixLength - 1]) ? PrefixLength - 1 : PrefixLength;
        var utf8 = Encoding.UTF8.GetBytes(id);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8, hash);
        return string.Concat(id.AsSpan(0, prefix), Marker, Convert.ToHexStringLower(hash));
    }
}
