using System.Buffers;
using System.Text;

namespace BroadcastGrains.PostHog.Mapping;

/// <summary>Name-based UUIDs (RFC 4122 §4.3, version 5), so a retried event keeps its uuid and PostHog can de-duplicate it.</summary>
public static class DeterministicUuid
{
    /// <summary>
    /// The RFC 4122 URL namespace. The name is a path-like "workspace/destination/generation" identifier,
    /// which is the closest of the predefined namespaces; any fixed value would do, but a standard one lets
    /// anyone recompute an event's uuid with stock tools (e.g. Python's <c>uuid.uuid5(uuid.NAMESPACE_URL, name)</c>).
    /// </summary>
    public static readonly Guid UrlNamespace = new("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

    private const int StackLimit = 512;

    /// <summary>The event uuid: stable across retries and processes, distinct per workspace and destination.</summary>
    public static Guid ForEvent(string workspaceId, string destinationId, string generationId)
    {
        ArgumentNullException.ThrowIfNull(workspaceId);
        ArgumentNullException.ThrowIfNull(destinationId);
        ArgumentNullException.ThrowIfNull(generationId);
        return FromParts(UrlNamespace, [workspaceId, "/", destinationId, "/", generationId]);
    }

    public static Guid V5(Guid namespaceId, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return FromParts(namespaceId, [name]);
    }

    /// <summary>The name is the concatenation of the parts, encoded straight into the hash input (no joined string).</summary>
    private static Guid FromParts(Guid namespaceId, ReadOnlySpan<string> parts)
    {
        var length = 16;
        foreach (var part in parts) length += Encoding.UTF8.GetByteCount(part);
        byte[]? rented = null;
        Span<byte> input = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            // The RFC hashes the namespace in network byte order; System.Guid stores the first three
            // fields little-endian, so the bytes must be written and read back explicitly big-endian.
            namespaceId.TryWriteBytes(input, bigEndian: true, out _);
            var at = 16;
            foreach (var part in parts) at += Encoding.UTF8.GetBytes(part, input[at..]);

            Span<byte> hash = stackalloc byte[Sha1.HashSizeInBytes];
            Sha1.Hash(input[..length], hash);

            hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
            hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
            return new Guid(hash[..16], bigEndian: true);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
