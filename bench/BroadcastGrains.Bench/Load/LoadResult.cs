using System.Diagnostics;

namespace BroadcastGrains.Bench.Load;

/// <summary>What one load phase sent and how the server answered.</summary>
public sealed class LoadResult
{
    public LatencyHistogram Latency { get; } = new();
    /// <summary>Open loop only: how late each request actually started after its scheduled time (a busy connection,
    /// or the load generator itself running late). Part of <see cref="Latency"/>, shown apart to tell the two sides apart.</summary>
    public LatencyHistogram StartLag { get; } = new();
    public long Requests { get; set; }
    public long Accepted { get; set; }
    public long Failed { get; set; }
    public long RecordsAccepted { get; set; }
    public long Queued { get; set; }
    /// <summary>Open loop only: requests whose start time fell after the phase ended because every connection was busy.</summary>
    public long Missed { get; set; }
    public string? LastError { get; set; }
    public long StartTimestamp { get; set; }
    public long EndTimestamp { get; set; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(StartTimestamp, EndTimestamp);
    public double AcceptedRecordsPerSecond => Elapsed.TotalSeconds > 0 ? RecordsAccepted / Elapsed.TotalSeconds : 0;
    public double P50Ms => Latency.PercentileMicros(50) / 1000.0;
    public double P99Ms => Latency.PercentileMicros(99) / 1000.0;

    public void Add(LoadResult worker)
    {
        Latency.Add(worker.Latency);
        StartLag.Add(worker.StartLag);
        Requests += worker.Requests;
        Accepted += worker.Accepted;
        Failed += worker.Failed;
        RecordsAccepted += worker.RecordsAccepted;
        Queued += worker.Queued;
        Missed += worker.Missed;
        LastError ??= worker.LastError;
    }

    public override string ToString() =>
        $"{Accepted}/{Requests} requests 202 ({Failed} failed{(Missed > 0 ? $", {Missed} missed" : "")}), " +
        $"{RecordsAccepted} records ({AcceptedRecordsPerSecond:F0}/s), queued {Queued}, " +
        $"latency p50 {P50Ms:F1} ms p99 {P99Ms:F1} ms max {Latency.MaxMicros / 1000.0:F1} ms" +
        (StartLag.Count > 0 ? $" (start lag p50 {StartLag.PercentileMicros(50) / 1000.0:F1} ms p99 {StartLag.PercentileMicros(99) / 1000.0:F1} ms)" : "") +
        (LastError is null ? "" : $"; last error: {LastError}");
}
