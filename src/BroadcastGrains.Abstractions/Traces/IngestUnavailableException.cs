namespace BroadcastGrains.Traces;

/// <summary>
/// Trouble of ours that a client should retry: storage that cannot commit, or a memory or queue budget that is
/// spent. The front end answers it with 503 and <c>Retry-After</c>, never 500; nothing of the request counts as
/// accepted, and a retry that duplicates part of it carries the same event uuids.
/// </summary>
[GenerateSerializer]
public sealed class IngestUnavailableException : Exception
{
    public IngestUnavailableException(string reason, string message, TimeSpan retryAfter, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
        RetryAfterSeconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
    }

    /// <summary>A small fixed word for metrics: <c>storage</c>, <c>memory_budget</c>, <c>commit_queue</c>.</summary>
    [Id(0)] public string Reason { get; private set; }

    [Id(1)] public int RetryAfterSeconds { get; private set; }
}
