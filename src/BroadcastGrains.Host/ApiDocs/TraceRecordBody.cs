using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace BroadcastGrains.Host.ApiDocs;

// The wire shape of a /v1/traces record (CONTRACT §4), for the API description only: ingest never binds these
// types (TraceBatchParser reads the body in one pass), so they only have to say what it accepts. Properties the
// parser does not read are not listed; a record may carry them and they are ignored.

[Description("One trace record: a chat-completions request as the client sent it, and its response (absent on error).")]
public sealed class TraceRecordBody
{
    [Required, Description("The workspace (tenant): ^[A-Za-z0-9_-]{1,64}$.")]
    public string? WorkspaceId { get; set; }

    [Required, Description("1 to 128 characters; the idempotency key (events carry a uuid derived from it).")]
    public string? GenerationId { get; set; }

    [Description("When the generation happened (ISO 8601); else the time the record was received.")]
    public DateTimeOffset? CreatedAt { get; set; }

    [Required]
    public TraceRequestBody? Request { get; set; }

    public TraceResponseBody? Response { get; set; }

    public string? Provider { get; set; }

    public double? LatencyMs { get; set; }

    public double? TimeToFirstTokenMs { get; set; }

    [Description("HTTP status of the generation (default 200 with a response, else error.code).")]
    public int? Status { get; set; }

    [Description("An object {\"code\", \"message\"} or a string (taken as the message).")]
    public JsonElement? Error { get; set; }
}

public sealed class TraceRequestBody
{
    [Required]
    public string? Model { get; set; }

    [Description("Chat messages; sent to PostHog as $ai_input unless the destination is in privacy mode.")]
    public List<TraceMessage>? Messages { get; set; }

    [Description("A completion prompt; becomes one user message when there are no messages.")]
    public string? Prompt { get; set; }

    [Description("The end user: the event's distinct_id (anonymous event when absent).")]
    public string? User { get; set; }

    public string? SessionId { get; set; }

    [Description("Trace metadata: trace_id, trace_name, generation_name, parent_span_id and any keys of your own, each sent as an event property.")]
    public Dictionary<string, JsonElement>? Trace { get; set; }

    public double? Temperature { get; set; }

    public long? MaxTokens { get; set; }

    public long? MaxCompletionTokens { get; set; }

    public bool? Stream { get; set; }

    public List<JsonElement>? Tools { get; set; }
}

public sealed class TraceMessage
{
    public string? Role { get; set; }

    [Description("A string or an array of content parts.")]
    public JsonElement? Content { get; set; }
}

public sealed class TraceResponseBody
{
    public string? Id { get; set; }

    public string? Model { get; set; }

    public string? Provider { get; set; }

    public List<TraceChoice>? Choices { get; set; }

    public TraceUsage? Usage { get; set; }
}

public sealed class TraceChoice
{
    public int? Index { get; set; }

    public TraceMessage? Message { get; set; }

    public string? FinishReason { get; set; }
}

public sealed class TraceUsage
{
    public long? PromptTokens { get; set; }

    public long? CompletionTokens { get; set; }

    public long? TotalTokens { get; set; }

    [Description("Cost in USD, sent as $ai_total_cost_usd.")]
    public double? Cost { get; set; }

    public TracePromptTokensDetails? PromptTokensDetails { get; set; }

    public TraceCompletionTokensDetails? CompletionTokensDetails { get; set; }
}

public sealed class TracePromptTokensDetails
{
    public long? CachedTokens { get; set; }

    public long? CacheWriteTokens { get; set; }
}

public sealed class TraceCompletionTokensDetails
{
    public long? ReasoningTokens { get; set; }
}
