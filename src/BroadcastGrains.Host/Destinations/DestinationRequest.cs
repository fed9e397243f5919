namespace BroadcastGrains.Host.Destinations;

/// <summary>The body of POST/PATCH on destinations and of the test endpoint; every field optional at this level.</summary>
public sealed class DestinationRequest
{
    public string? Type { get; set; }
    public string? Name { get; set; }
    public DestinationConfigBody? Config { get; set; }
    public bool? Enabled { get; set; }
    public bool? PrivacyMode { get; set; }
    public double? SamplingRate { get; set; }
}

public sealed class DestinationConfigBody
{
    public string? ApiKey { get; set; }
    public string? Endpoint { get; set; }
}
