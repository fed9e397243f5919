using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace BroadcastGrains.Bench.Run;

/// <summary>
/// Induces a full blocking GC in another .NET process through its diagnostics port (the runtime provider's
/// GCHeapCollect keyword, what dotnet-gcdump does before a heap walk) and reads the heap size that GC left.
/// RSS alone cannot tell objects an idle silo still holds from memory the GC has not handed back yet.
/// </summary>
public static class GcTrigger
{
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;

    /// <returns>Whether the session ran, and the managed heap size after the last GC seen in it.</returns>
    public static async Task<(bool Collected, long? HeapBytes)> CollectAsync(int pid)
    {
        try
        {
            var client = new DiagnosticsClient(pid);
            using var session = await client.StartEventPipeSessionAsync(
                [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword)],
                requestRundown: false, circularBufferMB: 4, CancellationToken.None);
            long? heap = null;
            using var source = new EventPipeEventSource(session.EventStream);
            source.Clr.GCHeapStats += e => heap = e.TotalHeapSize;
            var processing = Task.Run(source.Process);
            await Task.Delay(TimeSpan.FromSeconds(3));
            await session.StopAsync(CancellationToken.None);
            await processing.WaitAsync(TimeSpan.FromSeconds(15));
            return (true, heap);
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or UnsupportedCommandException or TimeoutException or IOException)
        {
            Console.WriteLine($"  (could not induce a GC in {pid}: {ex.Message})");
            return (false, null);
        }
    }
}
