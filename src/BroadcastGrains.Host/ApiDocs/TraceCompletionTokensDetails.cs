namespace BroadcastGrains.Host.ApiDocs;

/// <summary>Part of <see cref="TraceRecordBody"/>, the documented shape of a /v1/traces record.</summary>
public sealed class TraceCompletionTokensDetails
{
    public long? ReasoningTokens { get; set; }
}
