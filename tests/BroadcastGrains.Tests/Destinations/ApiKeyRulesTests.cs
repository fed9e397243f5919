using BroadcastGrains.PostHog.Connection;

namespace BroadcastGrains.Tests.Destinations;

public class ApiKeyRulesTests
{
    [Theory]
    [InlineData("phc_abcdefghij")]                          // exactly 10 after the prefix
    [InlineData("phc_abcdefghijklwxyz")]
    [InlineData("phc_ABCdef123_-xyz")]
    [InlineData("phc_----------")]
    [InlineData("phc_0123456789012345678901234567890123456789abc")]
    public void Valid_keys_match(string key)
    {
        Assert.True(ApiKeyRules.IsValid(key));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("phc_")]
    [InlineData("phc_abcdefghi")]          // 9 after the prefix: too short
    [InlineData("phx_abcdefghijkl")]       // wrong prefix
    [InlineData("PHC_abcdefghijkl")]       // prefix is case-sensitive
    [InlineData("phs_abcdefghijkl")]       // personal/secret key prefix
    [InlineData("abcdefghijklmnop")]
    [InlineData(" phc_abcdefghijkl")]      // leading space
    [InlineData("phc_abcdefghijkl ")]      // trailing space
    [InlineData("phc_abcdef.hijkl")]       // bad char
    [InlineData("phc_abcdef/hijkl")]
    [InlineData("phc_abcdefghijk\n")]
    [InlineData("phc_abcdéfghijkl")]       // non-ASCII letter
    [InlineData("phc_ab…wxyzabcdef")]      // masked form
    public void Invalid_keys_do_not_match(string? key)
    {
        Assert.False(ApiKeyRules.IsValid(key));
    }

    [Fact]
    public void Mask_keeps_first_six_and_last_four()
    {
        Assert.Equal("phc_ab…wxyz", ApiKeyRules.Mask("phc_abcdefghijklwxyz"));
    }

    [Theory]
    [InlineData("phc_abcdefghij")]
    [InlineData("phc_abcdefghijklwxyz")]
    [InlineData("phc_0123456789012345678901234567890123456789abc")]
    [InlineData("12345678901")]
    [InlineData("short")]
    [InlineData("")]
    public void Mask_never_reveals_more_than_first_six_and_last_four(string key)
    {
        var masked = ApiKeyRules.Mask(key);
        var revealed = masked.Replace("…", "");

        Assert.True(revealed.Length <= 10, $"'{masked}' reveals {revealed.Length} characters");
        Assert.True(revealed.Length < key.Length || key.Length == 0, $"'{masked}' reveals the whole key");
        Assert.Single(masked, c => c == '…');
        Assert.True(ApiKeyRules.IsMasked(masked));
        if (key.Length > 10)
        {
            Assert.StartsWith(key[..6], masked, StringComparison.Ordinal);
            Assert.EndsWith(key[^4..], masked, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void IsMasked_recognises_the_ellipsis()
    {
        Assert.True(ApiKeyRules.IsMasked("phc_ab…wxyz"));
        Assert.True(ApiKeyRules.IsMasked("…"));
        Assert.False(ApiKeyRules.IsMasked("phc_abcdefghijklwxyz"));
        Assert.False(ApiKeyRules.IsMasked("phc_ab...wxyz"));   // three dots are not the ellipsis character
        Assert.False(ApiKeyRules.IsMasked(""));
    }
}
