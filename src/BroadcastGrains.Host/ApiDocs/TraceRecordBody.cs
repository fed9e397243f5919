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
