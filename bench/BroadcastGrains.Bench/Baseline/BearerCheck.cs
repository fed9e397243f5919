using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace BroadcastGrains.Bench.Baseline;

/// <summary>A constant-time bearer token check with no allocation, as the host does it per request.</summary>
public sealed class BearerCheck(string token)
{
    private readonly string _expected = "Bearer " + token;

    public bool Passes(HttpRequest request)
    {
        var header = request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value) return false;
        return CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(value.AsSpan()), MemoryMarshal.AsBytes(_expected.AsSpan()));
    }
}
