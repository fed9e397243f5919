namespace BroadcastGrains.Host.ApiDocs;

/// <summary>Part of <see cref="TraceRecordBody"/>, the documented shape of a /v1/traces record.</summary>
public sealed class TraceChoice
{
    public int? Index { get; set; }

    public TraceMessage? Message { get; set; }

    public string? FinishReason { get; set; }
}
