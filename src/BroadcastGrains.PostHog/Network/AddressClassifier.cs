using System.Net;
using System.Net.Sockets;

namespace BroadcastGrains.PostHog.Network;

/// <summary>
/// Decides whether an address is on the public internet. Everything a tenant could use to reach our own
/// network (loopback, private, link-local incl. the cloud metadata address, CGNAT, ULA, multicast,
/// documentation and reserved ranges, and IPv6 forms that embed such an IPv4 address) is not.
/// </summary>
public static class AddressClassifier
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork) return IsPublicV4(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;
        if (address.IsIPv4MappedToIPv6) return IsPublicV4(address.MapToIPv4());

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        // ::/96 covers :: , ::1 and the deprecated IPv4-compatible form.
        if (b[..12].IndexOfAnyExcept((byte)0) < 0) return false;
        if ((b[0] & 0xFE) == 0xFC) return false;                       // fc00::/7 unique local
        if (b[0] == 0xFE && (b[1] & 0xC0) is 0x80 or 0xC0) return false; // fe80::/10 link-local, fec0::/10 site-local
        if (b[0] == 0xFF) return false;                                  // ff00::/8 multicast
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return false; // 2001:db8::/32 documentation
        if (b[0] == 0x01 && b[1] == 0x00 && b[2..8].IndexOfAnyExcept((byte)0) < 0) return false; // 100::/64 discard
        // Translation prefixes carry an IPv4 address a gateway will connect to: judge that address.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4..12].IndexOfAnyExcept((byte)0) < 0)
            return IsPublicV4(new IPAddress(b[12..16]));                  // 64:ff9b::/96 NAT64
        if (b[0] == 0x20 && b[1] == 0x02) return IsPublicV4(new IPAddress(b[2..6])); // 2002::/16 6to4
        return true;
    }

    private static bool IsPublicV4(IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return b[0] switch
        {
            0 => false,                                   // 0.0.0.0/8 "this network"
            10 => false,                                  // private
            100 when (b[1] & 0xC0) == 64 => false,        // 100.64.0.0/10 carrier-grade NAT
            127 => false,                                 // loopback
            169 when b[1] == 254 => false,                // link-local, incl. 169.254.169.254 metadata
            172 when (b[1] & 0xF0) == 16 => false,        // 172.16.0.0/12 private
            192 when b[1] == 0 && b[2] is 0 or 2 => false, // 192.0.0.0/24 protocol assignments, 192.0.2.0/24 docs
            192 when b[1] == 168 => false,                // private
            198 when (b[1] & 0xFE) == 18 => false,        // 198.18.0.0/15 benchmarking
            198 when b[1] == 51 && b[2] == 100 => false,  // documentation
            203 when b[1] == 0 && b[2] == 113 => false,   // documentation
            >= 224 => false,                              // multicast, reserved, broadcast
            _ => true,
        };
    }
}
