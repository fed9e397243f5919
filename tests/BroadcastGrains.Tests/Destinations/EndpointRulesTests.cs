using BroadcastGrains.PostHog.Connection;

namespace BroadcastGrains.Tests.Destinations;

/// <summary>The static part of the endpoint check; host names are never resolved here.</summary>
public class EndpointRulesTests
{
    private static string Accepted(string? endpoint, bool allowPrivate = false)
    {
        Assert.True(EndpointRules.TryNormalize(endpoint, allowPrivate, out var normalized, out var error), $"'{endpoint}' refused: {error}");
        Assert.Null(error);
        return normalized;
    }

    private static string Refused(string? endpoint, bool allowPrivate = false)
    {
        Assert.False(EndpointRules.TryNormalize(endpoint, allowPrivate, out _, out var error), $"'{endpoint}' should be refused");
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error!;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Null_or_empty_is_the_default_us_endpoint(string? endpoint)
    {
        Assert.Equal("https://us.i.posthog.com", EndpointRules.DefaultEndpoint);
        Assert.Equal("https://us.i.posthog.com", Accepted(endpoint));
        Assert.Equal("https://us.i.posthog.com", Accepted(endpoint, allowPrivate: true));
    }

    [Fact]
    public void Eu_endpoint_is_accepted()
    {
        Assert.Equal("https://eu.i.posthog.com", Accepted("https://eu.i.posthog.com"));
    }

    [Theory]
    [InlineData("https://eu.i.posthog.com/", "https://eu.i.posthog.com")]
    [InlineData("https://eu.i.posthog.com//", "https://eu.i.posthog.com")]
    [InlineData("  https://eu.i.posthog.com/  ", "https://eu.i.posthog.com")]
    [InlineData("https://posthog.example.com/ingest/", "https://posthog.example.com/ingest")]
    public void Trailing_slash_is_trimmed(string endpoint, string expected)
    {
        Assert.Equal(expected, Accepted(endpoint));
    }

    [Theory]
    [InlineData("https://EU.I.PostHog.COM", "https://eu.i.posthog.com")]
    [InlineData("HTTPS://Eu.I.Posthog.Com/", "https://eu.i.posthog.com")]
    [InlineData("https://PostHog.Example.com:8443/Base", "https://posthog.example.com:8443/Base")]
    public void Scheme_and_host_are_lower_cased_and_path_kept(string endpoint, string expected)
    {
        Assert.Equal(expected, Accepted(endpoint));
    }

    [Fact]
    public void Default_port_is_dropped()
    {
        Assert.Equal("https://eu.i.posthog.com", Accepted("https://eu.i.posthog.com:443/"));
    }

    [Fact]
    public void Http_is_refused_unless_private_endpoints_are_allowed()
    {
        Assert.Contains("https", Refused("http://eu.i.posthog.com"));
        Assert.Equal("http://eu.i.posthog.com", Accepted("http://eu.i.posthog.com", allowPrivate: true));
    }

    [Theory]
    [InlineData("ftp://eu.i.posthog.com")]
    [InlineData("ws://eu.i.posthog.com")]
    [InlineData("file:///etc/passwd")]
    public void Other_schemes_are_refused_even_when_private_is_allowed(string endpoint)
    {
        Refused(endpoint);
        Refused(endpoint, allowPrivate: true);
    }

    [Theory]
    [InlineData("https://127.0.0.1")]
    [InlineData("https://127.0.0.1:8000/")]
    [InlineData("https://10.0.0.5")]
    [InlineData("https://192.168.1.10")]
    [InlineData("https://172.16.0.1")]
    [InlineData("https://169.254.169.254")]
    [InlineData("https://100.64.0.1")]
    [InlineData("https://0.0.0.0")]
    [InlineData("https://[::1]")]
    [InlineData("https://[::1]:8443/")]
    [InlineData("https://[fd12::1]")]
    [InlineData("https://[fe80::1]")]
    [InlineData("https://[::ffff:127.0.0.1]")]
    [InlineData("https://[64:ff9b::a00:1]")]
    [InlineData("https://2130706433")]       // 127.0.0.1 as one decimal number
    [InlineData("https://0x7f000001")]      // 127.0.0.1 in hex
    [InlineData("https://127.1")]           // 127.0.0.1 in short form
    public void Private_ip_literals_are_refused_unless_allowed(string endpoint)
    {
        Refused(endpoint);
        Accepted(endpoint, allowPrivate: true);
    }

    [Theory]
    [InlineData("https://localhost")]
    [InlineData("https://LOCALHOST:8000")]
    [InlineData("https://posthog")]
    [InlineData("https://api.localhost")]
    [InlineData("https://printer.local")]
    [InlineData("https://metadata.google.internal")]
    public void Local_host_names_are_refused_unless_allowed(string endpoint)
    {
        Refused(endpoint);
        Accepted(endpoint, allowPrivate: true);
    }

    [Fact]
    public void Http_localhost_is_accepted_when_private_is_allowed()
    {
        Assert.Equal("http://localhost:8010", Accepted("http://localhost:8010/", allowPrivate: true));
    }

    [Theory]
    [InlineData("https://8.8.8.8")]
    [InlineData("https://[2606:4700::1111]")]
    public void Public_ip_literals_are_accepted(string endpoint)
    {
        Accepted(endpoint);
    }

    [Theory]
    [InlineData("https://user:pass@eu.i.posthog.com")]
    [InlineData("https://user@eu.i.posthog.com")]
    public void Credentials_are_refused(string endpoint)
    {
        Assert.Contains("credentials", Refused(endpoint));
        Refused(endpoint, allowPrivate: true);
    }

    [Theory]
    [InlineData("https://eu.i.posthog.com/?token=x")]
    [InlineData("https://eu.i.posthog.com?x")]
    [InlineData("https://eu.i.posthog.com/#frag")]
    [InlineData("https://eu.i.posthog.com/path?a=b#c")]
    public void Query_or_fragment_is_refused(string endpoint)
    {
        Assert.Contains("query or fragment", Refused(endpoint));
        Refused(endpoint, allowPrivate: true);
    }

    [Theory]
    [InlineData("/batch")]
    [InlineData("batch/")]
    [InlineData("eu.i.posthog.com")]
    [InlineData("//eu.i.posthog.com")]
    [InlineData("https://")]
    [InlineData("not a url")]
    public void Relative_or_malformed_url_is_refused(string endpoint)
    {
        Refused(endpoint);
        Refused(endpoint, allowPrivate: true);
    }

    [Fact]
    public void Refusal_leaves_no_error_on_success_and_a_message_on_failure()
    {
        Assert.True(EndpointRules.TryNormalize("https://eu.i.posthog.com", false, out _, out var none));
        Assert.Null(none);
        Assert.Contains("absolute", Refused("/batch"));
    }
}
