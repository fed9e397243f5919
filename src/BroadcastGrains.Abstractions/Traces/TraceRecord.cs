namespace BroadcastGrains.Traces;

/// <summary>
/// One accepted trace record, parsed once at the front end. Large nested parts stay as the raw UTF-8 JSON
/// the caller sent, so mapping writes them through without building an object tree per message.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TraceRecord
{
    [Id(0)] public required string WorkspaceId { get; init; }
    [Id(1)] public required string GenerationId { get; init; }
    /// <summary><c>created_at</c>, else the time the front end received the record.</summary>
    [Id(2)] public required DateTimeOffset Timestamp { get; init; }
    [Id(3)] public required string RequestModel { get; init; }
    [Id(4)] public string? ResponseModel { get; init; }
    /// <summary>Top-level <c>provider</c>, else <c>response.provider</c>.</summary>
    [Id(5)] public string? Provider { get; init; }
    [Id(6)] public string? User { get; init; }
    [Id(7)] public string? SessionId { get; init; }
    [Id(8)] public string? TraceId { get; init; }
    [Id(9)] public string? GenerationName { get; init; }
    [Id(10)] public string? ParentSpanId { get; init; }
    /// <summary>The raw <c>request.trace</c> object, or null.</summary>
    [Id(11)] public byte[]? TraceJson { get; init; }
    /// <summary>A JSON array of messages: <c>request.messages</c>, or a <c>prompt</c> string as one user message.</summary>
    [Id(12)] public byte[]? InputJson { get; init; }
    /// <summary>A JSON array holding the <c>message</c> of each <c>response.choices</c> item.</summary>
    [Id(13)] public byte[]? OutputChoicesJson { get; init; }
    [Id(14)] public string? StopReason { get; init; }
    [Id(15)] public long? PromptTokens { get; init; }
    [Id(16)] public long? CompletionTokens { get; init; }
    [Id(17)] public long? CachedTokens { get; init; }
    [Id(18)] public long? CacheWriteTokens { get; init; }
    [Id(19)] public long? ReasoningTokens { get; init; }
    [Id(20)] public double? Cost { get; init; }
    [Id(21)] public double? LatencyMs { get; init; }
    [Id(22)] public double? TimeToFirstTokenMs { get; init; }
    /// <summary>Resolved HTTP status: <c>status</c>, else 200 with a response, else <c>error.code</c>.</summary>
    [Id(23)] public int? HttpStatus { get; init; }
    [Id(24)] public bool HasError { get; init; }
    [Id(25)] public string? ErrorMessage { get; init; }
    [Id(26)] public double? Temperature { get; init; }
    /// <summary><c>max_tokens</c>, else <c>max_completion_tokens</c>.</summary>
    [Id(27)] public long? MaxTokens { get; init; }
    [Id(28)] public bool? Stream { get; init; }
    /// <summary>The raw <c>request.tools</c> array, or null.</summary>
    [Id(29)] public byte[]? ToolsJson { get; init; }
    /// <summary>Approximate UTF-8 size of the record as received, for batch sizing.</summary>
    [Id(30)] public int SizeHint { get; init; }
}
