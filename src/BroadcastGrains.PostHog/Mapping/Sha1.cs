using System.Buffers.Binary;
using System.Numerics;

namespace BroadcastGrains.PostHog.Mapping;

/// <summary>
/// SHA-1 (FIPS 180-4) for UUIDv5 names, nothing secret. The platform's <c>SHA1.HashData</c> goes through
/// OpenSSL, whose per-call context set-up and error-queue handling cost more than hashing the ~100 bytes of an
/// event name; at one uuid per event that was a few per cent of the silo's CPU. This hashes on the stack.
/// </summary>
public static class Sha1
{
    public const int HashSizeInBytes = 20;

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < HashSizeInBytes) throw new ArgumentException("The destination is too small.", nameof(destination));
        Span<uint> state = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
        Span<uint> schedule = stackalloc uint[80];

        var whole = data.Length / 64 * 64;
        for (var offset = 0; offset < whole; offset += 64) Compress(data.Slice(offset, 64), schedule, state);

        // Padding: 0x80, zeros, then the message length in bits, big-endian, filling one or two final blocks.
        Span<byte> tail = stackalloc byte[128];
        tail.Clear();
        var rest = data.Length - whole;
        data[whole..].CopyTo(tail);
        tail[rest] = 0x80;
        var tailLength = rest + 1 + 8 <= 64 ? 64 : 128;
        BinaryPrimitives.WriteUInt64BigEndian(tail[(tailLength - 8)..], (ulong)data.Length * 8);
        Compress(tail[..64], schedule, state);
        if (tailLength == 128) Compress(tail[64..], schedule, state);

        for (var i = 0; i < 5; i++) BinaryPrimitives.WriteUInt32BigEndian(destination[(i * 4)..], state[i]);
    }

    private static void Compress(ReadOnlySpan<byte> block, Span<uint> w, Span<uint> state)
    {
        for (var t = 0; t < 16; t++) w[t] = BinaryPrimitives.ReadUInt32BigEndian(block[(t * 4)..]);
        for (var t = 16; t < 80; t++) w[t] = BitOperations.RotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

        uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
        for (var t = 0; t < 80; t++)
        {
            uint f, k;
            if (t < 20) (f, k) = ((b & c) | (~b & d), 0x5A827999u);
            else if (t < 40) (f, k) = (b ^ c ^ d, 0x6ED9EBA1u);
            else if (t < 60) (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1BBCDCu);
            else (f, k) = (b ^ c ^ d, 0xCA62C1D6u);
            var next = BitOperations.RotateLeft(a, 5) + f + e + k + w[t];
            e = d;
            d = c;
            c = BitOperations.RotateLeft(b, 30);
            b = a;
            a = next;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
    }
}
