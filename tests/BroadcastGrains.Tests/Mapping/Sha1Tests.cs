using System.Security.Cryptography;
using System.Text;
using BroadcastGrains.PostHog.Mapping;

namespace BroadcastGrains.Tests.Mapping;

public sealed class Sha1Tests
{
    [Theory]
    [InlineData("", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [InlineData("abc", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1")]
    public void Matches_the_FIPS_180_test_vectors(string message, string expected)
    {
        var hash = new byte[Sha1.HashSizeInBytes];
        Sha1.Hash(Encoding.ASCII.GetBytes(message), hash);
        Assert.Equal(expected, Convert.ToHexStringLower(hash));
    }

    [Fact]
    public void Matches_the_platform_for_every_length_across_the_block_and_padding_boundaries()
    {
        var random = new Random(1234);
        var ours = new byte[Sha1.HashSizeInBytes];
        for (var length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Sha1.Hash(data, ours);
            Assert.True(SHA1.HashData(data).AsSpan().SequenceEqual(ours), $"length {length}");
        }
    }
}
