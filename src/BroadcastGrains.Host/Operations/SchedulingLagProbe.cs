using System.Diagnostics;
using BroadcastGrains.Grains.Telemetry;

namespace BroadcastGrains.Host.Operations;

/// <summary>
/// Measures how long work queued to the thread pool waits before it runs — the silo's "event loop lag". Every
/// request continuation and grain turn waits that long, so a GC pause, a starved pool or a CPU shared with other
/// processes shows here even when request durations (timed from when Kestrel starts a request) look fine.
/// A dedicated thread queues one probe every 100 ms: the cost is nil.
/// </summary>
public sealed class SchedulingLagProbe : IHostedService, IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "Scheduling lag probe" };
        _thread.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stop.Cancel();
        // The loop wakes at once on cancellation; joined so that Dispose never pulls the handle from under it.
        _thread?.Join(TimeSpan.FromSeconds(5));
        return Task.CompletedTask;
    }

    private void Run()
    {
        while (!_stop.Token.WaitHandle.WaitOne(Interval))
        {
            var queuedAt = Stopwatch.GetTimestamp();
            ThreadPool.UnsafeQueueUserWorkItem(static state =>
            {
                BroadcastTelemetry.ThreadPoolLag.Record(Stopwatch.GetElapsedTime(state).TotalSeconds);
            }, queuedAt, preferLocal: false);
        }
    }

    public void Dispose()
    {
        if (_thread is null || !_thread.IsAlive) _stop.Dispose();
    }
}
