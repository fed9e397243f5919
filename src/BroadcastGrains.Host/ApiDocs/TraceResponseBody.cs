namespace BroadcastGrains.Host.ApiDocs;

/// <summary>Part of <see cref="TraceRecordBody"/>, the documented shape of a /v1/traces record.</summary>
public sealed class TraceResponseBody
{
    public string? Id { get; set; }

    public string? Model { get; set; }

    public string? Provider { get; set; }

    public List<TraceChoice>? Choices { get; set; }

    public TraceUsage? Usage { get; set; }
}
