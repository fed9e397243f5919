using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace BroadcastGrains.Grains.Telemetry;

/// <summary>
/// The service's own metrics and spans. Labels are limited to small fixed sets (reason, outcome, state):
/// per-workspace or per-destination series would grow with the tenant count and swamp any Prometheus, so
/// tenant-level detail lives in the destination API and in span attributes instead.
/// </summary>
public static class BroadcastTelemetry
{
    public const string Name = "BroadcastGrains";

    public static readonly ActivitySource Source = new(Name, typeof(BroadcastTelemetry).Assembly.GetName().Version?.ToString(3));
    public static readonly Meter Meter = new(Name, typeof(BroadcastTelemetry).Assembly.GetName().Version?.ToString(3));

    /// <summary>Buckets for the waits on the ingest path (commits, grain dispatch, thread-pool lag): 1 ms to 2.5 s.</summary>
    private static readonly InstrumentAdvice<double> WaitBuckets =
        new() { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] };

    public static readonly Counter<long> TracesReceived = Meter.CreateCounter<long>(
        "broadcast.traces.received", "{record}", "Trace records accepted by POST /v1/traces.");
    public static readonly Counter<long> TracesRejected = Meter.CreateCounter<long>(
        "broadcast.traces.rejected", "{request}", "Ingest requests refused (reason: invalid, too_large, draining).");
    public static readonly Counter<long> IngestShares = Meter.CreateCounter<long>(
        "broadcast.ingest.shares", "{share}",
        "Shares of ingest requests by where they ran (where: local, remote = one call to the owning silo, fallback = the owner could not be reached and this silo ingested the share itself).");
    public static readonly Counter<long> MisplacedEnqueues = Meter.CreateCounter<long>(
        "broadcast.destination.misplaced_enqueues", "{call}",
        "Enqueue calls that reached a destination activation on a silo that does not own its workspace (after a membership change); each such activation then deactivates so that the next call places it on the owner.");
    public static readonly Counter<long> MemoryTrims = Meter.CreateCounter<long>(
        "broadcast.memory.trims", "{trim}",
        "Times a quiet silo gave idle memory back to the operating system (a compacting GC and malloc_trim) after idle grains were collected.");
    public static readonly Counter<long> EventsQueued = Meter.CreateCounter<long>(
        "broadcast.events.queued", "{event}", "Events stored in a destination's outbox.");
    public static readonly Counter<long> EventsDelivered = Meter.CreateCounter<long>(
        "broadcast.events.delivered", "{event}", "Events PostHog accepted.");
    public static readonly Counter<long> EventsRetried = Meter.CreateCounter<long>(
        "broadcast.events.retried", "{event}", "Events in a send that failed transiently and will be retried.");
    public static readonly Counter<long> EventsDeadLettered = Meter.CreateCounter<long>(
        "broadcast.events.dead_lettered", "{event}", "Events given up on (reason: expired, too_large, rejected, backlog_full).");
    /// <summary>Dead letters removed without a replay: the destination held more than its cap, or they outlived the retention.</summary>
    public static readonly Counter<long> DeadLettersDropped = Meter.CreateCounter<long>(
        "broadcast.dead_letters.dropped", "{event}", "Dead letters that fell out of storage, oldest first (reason: cap, retention).");
    /// <summary>Memory storage: a dead letter made while the silo's memory budget was spent keeps its record but not its payload.</summary>
    public static readonly Counter<long> DeadLetterPayloadsDropped = Meter.CreateCounter<long>(
        "broadcast.dead_letters.payloads_dropped", "{event}", "Dead letters kept without their payload (not replayable) because the silo's memory budget was spent.");
    /// <summary>Memory storage: Enqueue calls refused because the silo's buffered event bytes reached the budget (answered 503).</summary>
    public static readonly Counter<long> MemoryBudgetRefusals = Meter.CreateCounter<long>(
        "broadcast.memory_budget.refusals", "{call}", "Destination enqueues refused because the silo's buffered event bytes reached Broadcast:Memory:MaxBufferedBytes.");
    public static readonly Counter<long> EventsSampledOut = Meter.CreateCounter<long>(
        "broadcast.events.sampled_out", "{event}", "Records dropped by a destination's sampling rate.");
    public static readonly Counter<long> EventsDiscarded = Meter.CreateCounter<long>(
        "broadcast.events.discarded", "{event}", "Pending events discarded because their destination was deleted.");
    public static readonly Histogram<double> SendDuration = Meter.CreateHistogram<double>(
        "broadcast.send.duration", "s", "Duration of one POST /batch/ to PostHog (outcome: delivered, retry, split, paused).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    /// <summary>Postgres mode: how long an ingest waits for its rows to be committed (queueing for a writer + the COPY + the commit).</summary>
    public static readonly Histogram<double> OutboxCommitWait = Meter.CreateHistogram<double>(
        "broadcast.outbox.commit_wait", "s", "Postgres mode: time from the oldest append of a group commit to its commit.",
        advice: WaitBuckets);
    public static readonly Histogram<long> OutboxCommitRows = Meter.CreateHistogram<long>(
        "broadcast.outbox.commit_rows", "{row}", "Postgres mode: rows written by one group commit.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000] });
    public static readonly Histogram<double> JournalCommitWait = Meter.CreateHistogram<double>(
        "broadcast.journal.commit_wait", "s", "Postgres mode: time from the oldest ingest request of a journal group commit to its commit.",
        advice: WaitBuckets);

    /// <summary>The grain half of an ingest request's latency (the journal commit, in Postgres mode, runs beside it).</summary>
    public static readonly Histogram<double> IngestDispatch = Meter.CreateHistogram<double>(
        "broadcast.ingest.dispatch", "s", "Time from an ingest request's first destination call to the last destination's answer.",
        advice: WaitBuckets);

    /// <summary>Sampled by the host's scheduling-lag probe: what every continuation and grain turn waits on top of its own work.</summary>
    public static readonly Histogram<double> ThreadPoolLag = Meter.CreateHistogram<double>(
        "broadcast.runtime.threadpool_lag", "s", "Time a work item queued to the thread pool waits before it runs (sampled every 100 ms).",
        advice: WaitBuckets);

    public static KeyValuePair<string, object?> Reason(string reason) => new("reason", reason);

    public static KeyValuePair<string, object?> Where(string where) => new("where", where);
    public static KeyValuePair<string, object?> Outcome(string outcome) => new("outcome", outcome);
}
