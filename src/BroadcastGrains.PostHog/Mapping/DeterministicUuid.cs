using System.Buffers;
using System.Security.Cryptography;
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
        return V5(UrlNamespace, string.Concat(workspaceId, "/", destinationId, "/", generationId));
    }

    public static Guid V5(Guid namespaceId, string name)
    {
        ArgumentNullException.ThrowIfNull(name);

        var length = 16 + Encoding.UTF8.GetByteCount(name);
        byte[]? rented = null;
        Span<byte> input = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            // The RFC hashes the namespace in network byte order; System.Guid stores the first three
            // fields little-endian, so the bytes must be written and read back explicitly big-endian.
            namespaceId.TryWriteBytes(input, bigEndian: true, out _);
            Encoding.UTF8.GetBytes(name, input[16..]);

            Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
            SHA1.HashData(input[..length], hash);

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
