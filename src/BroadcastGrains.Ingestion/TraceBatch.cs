using BroadcastGrains.Traces;

namespace BroadcastGrains.Ingestion;

/// <summary>The outcome of parsing one ingest body: either records or errors, never a mix that gets accepted.</summary>
public sealed class TraceBatch
{
    public List<TraceRecord> Records { get; } = new();
    public List<FieldError> Errors { get; } = new();
    /// <summary>The body held more records than allowed; parsing stopped.</summary>
    public bool TooManyRecords { get; set; }
    public bool IsValid => Errors.Count == 0 && !TooManyRecords;
    /// <summary>The fast pass met a number PostHog cannot take; the parser then locates it and reports its path.</summary>
    internal bool HasNumberOutOfRange { get; set; }
}
