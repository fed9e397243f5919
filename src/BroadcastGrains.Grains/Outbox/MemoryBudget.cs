using BroadcastGrains.Traces;

namespace BroadcastGrains.Grains.Outbox;

/// <summary>
/// The silo-wide bound on accepted-but-undelivered event bytes kept in memory (<c>Broadcast:Memory:MaxBufferedBytes</c>).
/// Memory storage counts pending payloads and dead-letter payloads and refuses appends past it (ingest answers
/// 503); Postgres storage counts its in-memory windows and writes or re-reads outbox rows instead of going past it.
/// Only payload bytes are counted: the events' objects and the slack of pooled blocks come on top (roughly a
/// third more), which is why the default is a quarter of the memory the GC may use.
/// One interlocked operation per destination call, never one per event.
/// </summary>
public sealed class MemoryBudget
{
    /// <summary>What a refused client is told to wait: deliveries free budget within a linger or two.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>Postgres storage keeps its windows this small by default: beyond it events are simply read back from rows.</summary>
    public const long PostgresDefaultMaxBytes = 256L * 1024 * 1024;

    private long _used;

    public MemoryBudget(long maxBytes, bool reportMetrics = false)
    {
        MaxBytes = maxBytes > 0 ? maxBytes : throw new ArgumentOutOfRangeException(nameof(maxBytes), "must be positive");
        // Only the silo's own budget reports: a gauge per instance would keep every test's budget alive.
        if (!reportMetrics) return;
        Telemetry.BroadcastTelemetry.Meter.CreateObservableGauge("broadcast.memory.buffered", () => Used, "By",
            "Accepted-but-undelivered event payload bytes this silo keeps in memory (Memory storage: pending and dead letters; Postgres: its windows).");
        Telemetry.BroadcastTelemetry.Meter.CreateObservableGauge("broadcast.memory.budget", () => MaxBytes, "By",
            "Broadcast:Memory:MaxBufferedBytes of this silo.");
    }

    public long MaxBytes { get; }

    public long Used => Interlocked.Read(ref _used);

    public long Available => Math.Max(0, MaxBytes - Used);

    /// <summary>A quarter of what the GC may use (the container's limit when there is one).</summary>
    public static long DefaultMaxBytes(bool durableStorage)
    {
        var quarter = Math.Max(64L * 1024 * 1024, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);
        return durableStorage ? Math.Min(PostgresDefaultMaxBytes, quarter) : quarter;
    }

    /// <summary>Counts <paramref name="bytes"/> if they fit under the budget, all or nothing.</summary>
    public bool TryReserve(long bytes)
    {
        if (bytes <= 0) return true;
        var used = Interlocked.Read(ref _used);
        while (true)
        {
            if (used + bytes > MaxBytes) return false;
            var seen = Interlocked.CompareExchange(ref _used, used + bytes, used);
            if (seen == used) return true;
            used = seen;
        }
    }

    /// <summary>Counts bytes that are in memory whether or not they fit (positive) or that left it (negative).</summary>
    public void Add(long bytes)
    {
        if (bytes != 0) Interlocked.Add(ref _used, bytes);
    }

    public void Release(long bytes) => Add(-bytes);

    /// <summary>Reserves or throws the exception that ingest answers with 503 and <c>Retry-After</c>.</summary>
    public void Reserve(long bytes)
    {
        if (TryReserve(bytes)) return;
        Telemetry.BroadcastTelemetry.MemoryBudgetRefusals.Add(1);
        throw new IngestUnavailableException("memory_budget",
            $"This silo holds {Used} bytes of undelivered events, its budget is {MaxBytes} (Broadcast:Memory:MaxBufferedBytes); retry shortly.",
            RetryAfter);
    }
}
