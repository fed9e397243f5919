using System.ComponentModel;
using System.Text.Json;

namespace BroadcastGrains.Host.ApiDocs;

/// <summary>Part of <see cref="TraceRecordBody"/>, the documented shape of a /v1/traces record.</summary>
public sealed class TraceMessage
{
    public string? Role { get; set; }

    [Description("A string or an array of content parts.")]
    public JsonElement? Content { get; set; }
}
