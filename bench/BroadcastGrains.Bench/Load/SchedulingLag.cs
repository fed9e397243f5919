using System.Diagnostics;

namespace BroadcastGrains.Bench.Load;

/// <summary>
/// How late the bench process's own thread pool runs work during a phase: a dedicated thread queues a probe every
/// 10 ms. The load generator stamps request starts and answers on that pool, so its lag is part of every measured
/// latency; when it is large, the latencies describe the shared machine as much as the program under test.
/// </summary>
public sealed class SchedulingLag : IDisposable
{
    private readonly LatencyHistogram _lag = new();
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    private SchedulingLag()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "bench lag probe" };
        _thread.Start();
    }

    public static SchedulingLag Start() => new();

    public (double P99Ms, double MaxMs) Stop()
    {
        _stop.Cancel();
        _thread.Join();
        lock (_gate) return (_lag.PercentileMicros(99) / 1000.0, _lag.MaxMicros / 1000.0);
    }

    private void Run()
    {
        while (!_stop.Token.WaitHandle.WaitOne(10))
        {
            var queuedAt = Stopwatch.GetTimestamp();
            ThreadPool.UnsafeQueueUserWorkItem(at =>
            {
                var micros = (long)Stopwatch.GetElapsedTime(at).TotalMicroseconds;
                lock (_gate) _lag.Record(micros);
            }, queuedAt, preferLocal: false);
        }
    }

    public void Dispose() => _stop.Dispose();
}
