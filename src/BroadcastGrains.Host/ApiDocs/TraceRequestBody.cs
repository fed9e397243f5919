using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace BroadcastGrains.Host.ApiDocs;

/// <summary>Part of <see cref="TraceRecordBody"/>, the documented shape of a /v1/traces record.</summary>
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
