using BroadcastGrains.Destinations;
using BroadcastGrains.Host.Destinations;

namespace BroadcastGrains.Tests.Destinations;

public class DestinationRequestValidatorTests
{
    private const string Key = "phc_abcdefghijklwxyz";
    private const string OtherKey = "phc_zyxwvutsrqponmlk";

    private static DestinationRequest Create(string? key = Key, string? endpoint = null) => new()
    {
        Type = "posthog",
        Config = new DestinationConfigBody { ApiKey = key, Endpoint = endpoint },
    };

    private static readonly DestinationConfig Current = new()
    {
        Name = "Product analytics",
        ApiKey = Key,
        Endpoint = "https://us.i.posthog.com",
        Enabled = true,
        PrivacyMode = false,
        SamplingRate = 0.5,
    };

    private static void AssertOnlyError(Dictionary<string, string[]> errors, string field)
    {
        Assert.Equal([field], errors.Keys);
        Assert.NotEmpty(errors[field]);
        Assert.All(errors[field], m => Assert.False(string.IsNullOrWhiteSpace(m)));
    }

    // ---- create ----

    [Fact]
    public void Create_fills_defaults()
    {
        var errors = DestinationRequestValidator.ValidateCreate(Create(), allowPrivate: false, out var config);

        Assert.Empty(errors);
        Assert.NotNull(config);
        Assert.Equal("PostHog", config.Name);
        Assert.Equal(Key, config.ApiKey);
        Assert.Equal("https://us.i.posthog.com", config.Endpoint);
        Assert.True(config.Enabled);
        Assert.False(config.PrivacyMode);
        Assert.Equal(1.0, config.SamplingRate);
    }

    [Fact]
    public void Create_takes_every_given_field()
    {
        var request = new DestinationRequest
        {
            Type = "posthog",
            Name = "  Product analytics  ",
            Config = new DestinationConfigBody { ApiKey = Key, Endpoint = "https://EU.i.posthog.com/" },
            Enabled = false,
            PrivacyMode = true,
            SamplingRate = 0.25,
        };
        var errors = DestinationRequestValidator.ValidateCreate(request, allowPrivate: false, out var config);

        Assert.Empty(errors);
        Assert.Equal(new DestinationConfig
        {
            Name = "Product analytics",
            ApiKey = Key,
            Endpoint = "https://eu.i.posthog.com",
            Enabled = false,
            PrivacyMode = true,
            SamplingRate = 0.25,
        }, config);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Create_with_blank_name_uses_default_name(string name)
    {
        var request = Create();
        request.Name = name;
        DestinationRequestValidator.ValidateCreate(request, false, out var config);
        Assert.Equal("PostHog", config!.Name);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("PostHog")]
    [InlineData("mixpanel")]
    [InlineData("")]
    public void Create_requires_type_posthog(string? type)
    {
        var request = Create();
        request.Type = type;
        var errors = DestinationRequestValidator.ValidateCreate(request, false, out var config);

        AssertOnlyError(errors, "type");
        Assert.Null(config);
    }

    [Fact]
    public void Create_requires_config()
    {
        var request = new DestinationRequest { Type = "posthog" };
        var errors = DestinationRequestValidator.ValidateCreate(request, false, out var config);

        AssertOnlyError(errors, "config");
        Assert.Null(config);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("phx_abcdefghijkl")]
    [InlineData("phc_short")]
    [InlineData("phc_abcdef ghijkl")]
    [InlineData("phc_ab…wxyz")]
    public void Create_reports_bad_api_key_on_config_api_key(string? key)
    {
        var errors = DestinationRequestValidator.ValidateCreate(Create(key), false, out var config);
        AssertOnlyError(errors, "config.api_key");
        Assert.Null(config);
    }

    [Theory]
    [InlineData("http://eu.i.posthog.com")]
    [InlineData("https://127.0.0.1")]
    [InlineData("https://localhost")]
    [InlineData("https://u:p@eu.i.posthog.com")]
    [InlineData("https://eu.i.posthog.com/?a=1")]
    [InlineData("/batch")]
    public void Create_reports_bad_endpoint_on_config_endpoint(string endpoint)
    {
        var errors = DestinationRequestValidator.ValidateCreate(Create(endpoint: endpoint), false, out var config);
        AssertOnlyError(errors, "config.endpoint");
        Assert.Null(config);
    }

    [Fact]
    public void Create_allows_private_http_endpoint_when_allowed()
    {
        var errors = DestinationRequestValidator.ValidateCreate(Create(endpoint: "http://localhost:8010/"), allowPrivate: true, out var config);
        Assert.Empty(errors);
        Assert.Equal("http://localhost:8010", config!.Endpoint);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(-0.5)]
    [InlineData(0.00009)]
    [InlineData(1.0000001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Create_reports_sampling_rate_out_of_bounds(double rate)
    {
        var request = Create();
        request.SamplingRate = rate;
        var errors = DestinationRequestValidator.ValidateCreate(request, false, out var config);

        AssertOnlyError(errors, "sampling_rate");
        Assert.Null(config);
    }

    [Theory]
    [InlineData(0.0001)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Create_accepts_sampling_rate_within_bounds(double rate)
    {
        var request = Create();
        request.SamplingRate = rate;
        var errors = DestinationRequestValidator.ValidateCreate(request, false, out var config);

        Assert.Empty(errors);
        Assert.Equal(rate, config!.SamplingRate);
    }

    [Fact]
    public void Create_reports_a_too_long_name()
    {
        var request = Create();
        request.Name = new string('n', DestinationRequestValidator.MaxNameLength + 1);
        AssertOnlyError(DestinationRequestValidator.ValidateCreate(request, false, out _), "name");

        request.Name = new string('n', DestinationRequestValidator.MaxNameLength);
        Assert.Empty(DestinationRequestValidator.ValidateCreate(request, false, out _));
    }

    [Fact]
    public void Create_reports_every_bad_field_at_once()
    {
        var request = new DestinationRequest
        {
            Type = "segment",
            Config = new DestinationConfigBody { ApiKey = "nope", Endpoint = "ftp://x.example.com" },
            SamplingRate = 0,
        };
        var errors = DestinationRequestValidator.ValidateCreate(request, false, out var config);

        Assert.Equal(["config.api_key", "config.endpoint", "sampling_rate", "type"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Null(config);
    }

    // ---- patch ----

    [Fact]
    public void Patch_with_masked_key_keeps_the_key()
    {
        var request = new DestinationRequest { Config = new DestinationConfigBody { ApiKey = "phc_ab…wxyz" } };
        var errors = DestinationRequestValidator.ValidatePatch(request, Current, false, out var updated, out var changed);

        Assert.Empty(errors);
        Assert.Equal(Current, updated);
        Assert.False(changed);
    }

    [Fact]
    public void Patch_with_new_key_changes_the_connection()
    {
        var request = new DestinationRequest { Config = new DestinationConfigBody { ApiKey = OtherKey } };
        var errors = DestinationRequestValidator.ValidatePatch(request, Current, false, out var updated, out var changed);

        Assert.Empty(errors);
        Assert.True(changed);
        Assert.Equal(Current with { ApiKey = OtherKey }, updated);
    }

    [Fact]
    public void Patch_with_the_same_key_does_not_change_the_connection()
    {
        var request = new DestinationRequest { Config = new DestinationConfigBody { ApiKey = Key } };
        DestinationRequestValidator.ValidatePatch(request, Current, false, out var updated, out var changed);

        Assert.False(changed);
        Assert.Equal(Current, updated);
    }

    [Fact]
    public void Patch_with_new_endpoint_and_the_key_again_changes_the_connection_and_normalises_it()
    {
        var request = new DestinationRequest { Config = new DestinationConfigBody { ApiKey = Key, Endpoint = "https://EU.i.posthog.com/" } };
        var errors = DestinationRequestValidator.ValidatePatch(request, Current, false, out var updated, out var changed);

        Assert.Empty(errors);
        Assert.True(changed);
        Assert.Equal(Current with { Endpoint = "https://eu.i.posthog.com" }, updated);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("phc_ab…wxyz")]
    public void Patch_moving_the_endpoint_to_another_host_without_the_key_is_refused(string? key)
    {
        var request = new DestinationRequest { Config = new DestinationConfigBody { ApiKey = key, Endpoint = "https://attacker.example.com" } };
        var errors = DestinationRequestValidator.ValidatePatch(request, Current, false, out var updated, out var changed);

        Assert.Equal(["config.api_key"], errors.Keys);
        Assert.Contains("another host", errors["config.api_key"][0]);
        Assert.False(changed);
        Assert.Equal(Current, updated);
    }

    [Theory]
    [InlineData("http://us.i.posthog.com")]
    [InlineData("https://us.i.posthog.com:8443")]
    public void Another_scheme_or_port_counts_as_another_host(string endpoint)
    {
        var request = new DestinationRequest { Config = new DestinationConfigBody { Endpoint = endpoint } };
        var errors = DestinationRequestValidator.ValidatePatch(request, Current, allowPrivate: true, out _, out _);

        Assert.Equal(["config.api_key"], errors.Keys);
    }

    [Fact]
    public void Patch_moving_the_endpoint_to_another_path_of_the_same_host_keeps_the_stored_key()
    {
        var request = new DestinationRequest { Config = new DestinationConfigBody { Endpoint = "https://us.i.posthog.com/ingest" } };
        var errors = DestinationRequestValidator.ValidatePatch(request, Current, false, out var updated, out var changed);

        Assert.Empty(errors);
        Assert.True(changed);
        Assert.Equal(Current with { Endpoint = "https://us.i.posthog.com/ingest" }, updated);
    }

    [Fact]
    public void Patch_with_the_same_endpoint_in_another_spelling_does_not_change_the_connection()
    {
        var request = new DestinationRequest { Config = new DestinationConfigBody { Endpoint = "https://US.i.posthog.com/" } };
        DestinationRequestValidator.ValidatePatch(request, Current, false, out var updated, out var changed);

        Assert.False(changed);
        Assert.Equal(Current, updated);
    }

    [Fact]
    public void Patch_of_name_only_does_not_change_the_connection()
    {
        var request = new DestinationRequest { Name = " Renamed " };
        var errors = DestinationRequestValidator.ValidatePatch(request, Current, false, out var updated, out var changed);

        Assert.Empty(errors);
        Assert.False(changed);
        Assert.Equal(Current with { Name = "Renamed" }, updated);
    }

    [Fact]
    public void Patch_merges_the_other_fields()
    {
        var request = new DestinationRequest { Enabled = false, PrivacyMode = true, SamplingRate = 1.0 };
        var errors = DestinationRequestValidator.ValidatePatch(request, Current, false, out var updated, out var changed);

        Assert.Empty(errors);
        Assert.False(changed);
        Assert.Equal(Current with { Enabled = false, PrivacyMode = true, SamplingRate = 1.0 }, updated);
    }

    [Fact]
    public void Empty_patch_changes_nothing()
    {
        var errors = DestinationRequestValidator.ValidatePatch(new DestinationRequest(), Current, false, out var updated, out var changed);

        Assert.Empty(errors);
        Assert.False(changed);
        Assert.Equal(Current, updated);
    }

    [Fact]
    public void Patch_may_repeat_type_posthog_but_not_another_type()
    {
        Assert.Empty(DestinationRequestValidator.ValidatePatch(new DestinationRequest { Type = "posthog" }, Current, false, out _, out _));

        var errors = DestinationRequestValidator.ValidatePatch(new DestinationRequest { Type = "segment" }, Current, false, out var updated, out var changed);
        AssertOnlyError(errors, "type");
        Assert.Same(Current, updated);
        Assert.False(changed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("phx_abcdefghijkl")]
    [InlineData("phc_short")]
    public void Patch_with_invalid_key_is_an_error_and_saves_nothing(string key)
    {
        var request = new DestinationRequest { Name = "New name", Config = new DestinationConfigBody { ApiKey = key } };
        var errors = DestinationRequestValidator.ValidatePatch(request, Current, false, out var updated, out var changed);

        AssertOnlyError(errors, "config.api_key");
        Assert.Same(Current, updated);
        Assert.False(changed);
    }

    [Fact]
    public void Patch_with_invalid_endpoint_is_an_error_and_saves_nothing()
    {
        var request = new DestinationRequest { Config = new DestinationConfigBody { Endpoint = "http://eu.i.posthog.com" } };
        var errors = DestinationRequestValidator.ValidatePatch(request, Current, false, out var updated, out var changed);

        AssertOnlyError(errors, "config.endpoint");
        Assert.Same(Current, updated);
        Assert.False(changed);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    public void Patch_with_sampling_rate_out_of_bounds_is_an_error(double rate)
    {
        var errors = DestinationRequestValidator.ValidatePatch(new DestinationRequest { SamplingRate = rate }, Current, false, out var updated, out _);
        AssertOnlyError(errors, "sampling_rate");
        Assert.Same(Current, updated);
    }

    [Fact]
    public void Patch_with_too_long_name_is_an_error()
    {
        var request = new DestinationRequest { Name = new string('n', DestinationRequestValidator.MaxNameLength + 1) };
        AssertOnlyError(DestinationRequestValidator.ValidatePatch(request, Current, false, out _, out _), "name");
    }

    // ---- test connection ----

    [Fact]
    public void Test_returns_key_and_normalised_endpoint()
    {
        var errors = DestinationRequestValidator.ValidateTest(Create(endpoint: "https://eu.i.posthog.com/"), false, out var key, out var endpoint);

        Assert.Empty(errors);
        Assert.Equal(Key, key);
        Assert.Equal("https://eu.i.posthog.com", endpoint);
    }

    [Fact]
    public void Test_defaults_the_endpoint()
    {
        DestinationRequestValidator.ValidateTest(Create(), false, out _, out var endpoint);
        Assert.Equal("https://us.i.posthog.com", endpoint);
    }

    [Fact]
    public void Test_requires_type_and_config()
    {
        var errors = DestinationRequestValidator.ValidateTest(new DestinationRequest(), false, out var key, out var endpoint);

        Assert.Equal(["config", "type"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("", key);
        Assert.Equal("", endpoint);
    }

    [Fact]
    public void Test_reports_key_and_endpoint_errors()
    {
        var errors = DestinationRequestValidator.ValidateTest(Create("bad", "https://10.0.0.1"), false, out _, out _);
        Assert.Equal(["config.api_key", "config.endpoint"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Test_ignores_name_and_sampling_rate()
    {
        var request = Create();
        request.SamplingRate = 5;
        request.Name = new string('n', 1000);
        Assert.Empty(DestinationRequestValidator.ValidateTest(request, false, out _, out _));
    }
}
