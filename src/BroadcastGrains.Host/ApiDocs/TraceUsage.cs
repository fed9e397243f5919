using System.ComponentModel;

namespace BroadcastGrains.Host.ApiDocs;

/// <summary>Part of <see cref="TraceRecordBody"/>, the documented shape of a /v1/traces record.</summary>
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
