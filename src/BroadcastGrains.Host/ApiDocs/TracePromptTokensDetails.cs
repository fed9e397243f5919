namespace BroadcastGrains.Host.ApiDocs;

/// <summary>Part of <see cref="TraceRecordBody"/>, the documented shape of a /v1/traces record.</summary>
public sealed class TracePromptTokensDetails
{
    public long? CachedTokens { get; set; }

    public long? CacheWriteTokens { get; set; }
}
