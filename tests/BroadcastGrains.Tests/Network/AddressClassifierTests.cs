using System.Net;
using BroadcastGrains.PostHog.Network;

namespace BroadcastGrains.Tests.Network;

/// <summary>
/// Pure classification of parsed address literals. Nothing here resolves a name or opens a socket.
/// </summary>
public class AddressClassifierTests
{
    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("100.63.255.255")]   // just below CGNAT
    [InlineData("100.128.0.1")]      // just above CGNAT
    [InlineData("172.15.255.255")]   // just below 172.16/12
    [InlineData("172.32.0.1")]       // just above 172.16/12
    [InlineData("169.253.1.1")]
    [InlineData("192.0.1.1")]
    [InlineData("192.0.3.1")]
    [InlineData("192.167.1.1")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.1")]
    [InlineData("198.51.101.1")]
    [InlineData("203.0.114.1")]
    [InlineData("223.255.255.254")]
    [InlineData("11.0.0.1")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("64:ff9b::808:808")]          // NAT64 of 8.8.8.8
    [InlineData("2002:0808:0808::1")]         // 6to4 of 8.8.8.8
    [InlineData("::ffff:8.8.8.8")]            // IPv4-mapped public
    [InlineData("2001:db9::1")]               // just outside documentation
    [InlineData("fbff::1")]                   // just below fc00::/7
    public void Public_addresses_are_public(string literal)
    {
        Assert.True(AddressClassifier.IsPublic(IPAddress.Parse(literal)), $"{literal} should be public");
    }

    [Theory]
    // IPv4
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.0.1")]
    [InlineData("172.16.0.1")]
    [InlineData("172.20.10.5")]
    [InlineData("172.31.255.254")]
    [InlineData("192.168.0.1")]
    [InlineData("192.168.255.254")]
    [InlineData("192.0.0.1")]
    [InlineData("192.0.2.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.254")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    // IPv6
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:192.168.1.1")]
    [InlineData("::127.0.0.1")]               // deprecated IPv4-compatible form
    [InlineData("fc00::1")]
    [InlineData("fd12::1")]
    [InlineData("fd00:ec2::254")]             // AWS IMDS over IPv6
    [InlineData("fe80::1")]
    [InlineData("febf::1")]
    [InlineData("fec0::1")]
    [InlineData("ff02::1")]
    [InlineData("ff05::2")]
    [InlineData("2001:db8::1")]
    [InlineData("2001:db8:ffff::1")]
    [InlineData("100::1")]                    // discard prefix
    [InlineData("64:ff9b::a00:1")]            // NAT64 of 10.0.0.1
    [InlineData("64:ff9b::7f00:1")]           // NAT64 of 127.0.0.1
    [InlineData("64:ff9b::a9fe:a9fe")]        // NAT64 of 169.254.169.254
    [InlineData("2002:0a00:0001::")]          // 6to4 of 10.0.0.1
    [InlineData("2002:7f00:0001::1")]         // 6to4 of 127.0.0.1
    [InlineData("2002:c0a8:0101::1")]         // 6to4 of 192.168.1.1
    public void Blocked_addresses_are_not_public(string literal)
    {
        Assert.False(AddressClassifier.IsPublic(IPAddress.Parse(literal)), $"{literal} should not be public");
    }

    [Fact]
    public void Link_local_with_scope_id_is_not_public()
    {
        Assert.False(AddressClassifier.IsPublic(IPAddress.Parse("fe80::1%2")));
    }

    [Fact]
    public void Loopback_any_and_broadcast_constants_are_not_public()
    {
        Assert.False(AddressClassifier.IsPublic(IPAddress.Loopback));
        Assert.False(AddressClassifier.IsPublic(IPAddress.Any));
        Assert.False(AddressClassifier.IsPublic(IPAddress.Broadcast));
        Assert.False(AddressClassifier.IsPublic(IPAddress.IPv6Loopback));
        Assert.False(AddressClassifier.IsPublic(IPAddress.IPv6Any));
    }

    [Fact]
    public void Every_address_in_172_16_to_172_31_is_private_and_neighbours_are_public()
    {
        for (var second = 0; second < 256; second++)
        {
            var address = new IPAddress(new byte[] { 172, (byte)second, 1, 1 });
            Assert.Equal(second is < 16 or > 31, AddressClassifier.IsPublic(address));
        }
    }

    [Fact]
    public void Every_address_in_100_64_to_100_127_is_cgnat_and_neighbours_are_public()
    {
        for (var second = 0; second < 256; second++)
        {
            var address = new IPAddress(new byte[] { 100, (byte)second, 1, 1 });
            Assert.Equal(second is < 64 or > 127, AddressClassifier.IsPublic(address));
        }
    }

    [Fact]
    public void Mapped_and_nat64_forms_agree_with_the_plain_ipv4_verdict()
    {
        foreach (var v4 in new[] { "8.8.8.8", "1.1.1.1", "10.1.2.3", "127.0.0.1", "169.254.169.254", "172.16.0.1", "192.168.0.1", "100.64.0.1", "203.0.113.1" })
        {
            var plain = IPAddress.Parse(v4);
            var expected = AddressClassifier.IsPublic(plain);
            var b = plain.GetAddressBytes();
            var nat64 = new IPAddress(new byte[] { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, b[0], b[1], b[2], b[3] });
            var sixToFour = new IPAddress(new byte[] { 0x20, 0x02, b[0], b[1], b[2], b[3], 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 });

            Assert.Equal(expected, AddressClassifier.IsPublic(plain.MapToIPv6()));
            Assert.Equal(expected, AddressClassifier.IsPublic(nat64));
            Assert.Equal(expected, AddressClassifier.IsPublic(sixToFour));
        }
    }
}
