namespace BroadcastGrains.Ingestion;

/// <summary>Scratch space for one record while its properties arrive in any order.</summary>
internal struct RecordFields
{
    public string? WorkspaceId, GenerationId, RequestModel, ResponseModel, Provider, ResponseProvider;
    public string? User, SessionId, TraceId, GenerationName, ParentSpanId, Prompt, StopReason, ErrorMessage;
    public DateTimeOffset? CreatedAt;
    public byte[]? TraceJson, MessagesJson, ChoicesJson, ToolsJson;
    public long? PromptTokens, CompletionTokens, CachedTokens, CacheWriteTokens, ReasoningTokens, MaxTokens, MaxCompletionTokens;
    public double? Cost, LatencyMs, TtftMs, Temperature;
    public int? Status, ErrorCode;
    public bool? Stream;
    public bool SawRequest, SawResponse, ErrorPresent;
}
