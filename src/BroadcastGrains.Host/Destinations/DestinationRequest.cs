using System.ComponentModel;

namespace BroadcastGrains.Host.Destinations;

/// <summary>The body of POST/PATCH on destinations and of the test endpoint; every field optional at this level.</summary>
[Description("A destination to add (type and config required), the fields to change (PATCH: any subset), or the connection to test (type and config).")]
public sealed class DestinationRequest
{
    [Description("Always \"posthog\".")]
    public string? Type { get; set; }

    [Description("At most 200 characters; default \"PostHog\".")]
    public string? Name { get; set; }

    public DestinationConfigBody? Config { get; set; }

    [Description("Default true.")]
    public bool? Enabled { get; set; }

    [Description("When true, prompts and completions are not sent ($ai_input, $ai_output_choices); default false.")]
    public bool? PrivacyMode { get; set; }

    [Description("Share of sessions sent, 0.0001 to 1; default 1.")]
    public double? SamplingRate { get; set; }
}

public sealed class DestinationConfigBody
{
    [Description("The PostHog project API key, ^phc_[A-Za-z0-9_-]{10,}$. A masked key sent back (as read) keeps the stored one.")]
    public string? ApiKey { get; set; }

    [Description("The PostHog endpoint: an absolute https URL, default https://us.i.posthog.com (EU: https://eu.i.posthog.com).")]
    public string? Endpoint { get; set; }
}
