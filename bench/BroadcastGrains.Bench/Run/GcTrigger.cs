using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace BroadcastGrains.Bench.Run;

/// <summary>
/// Induces a full blocking GC in another .NET process through its diagnostics port: enabling the runtime
/// provider's GCHeapCollect keyword makes the runtime collect (what dotnet-gcdump does before a heap walk).
/// Used only to show how much of an idle silo's resident memory is garbage not yet collected.
/// </summary>
public static class GcTrigger
{
    private const long GcHeapCollectKeyword = 0x800000;

    public static async Task<bool> CollectAsync(int pid)
    {
        try
        {
            var client = new DiagnosticsClient(pid);
            using var session = await client.StartEventPipeSessionAsync(
                [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcHeapCollectKeyword)],
                requestRundown: false, circularBufferMB: 1, CancellationToken.None);
            // The stream must be read or the runtime's buffer fills; its events are not needed.
            var drain = session.EventStream.CopyToAsync(Stream.Null);
            await Task.Delay(TimeSpan.FromSeconds(3));
            await session.StopAsync(CancellationToken.None);
            await drain.WaitAsync(TimeSpan.FromSeconds(10));
            return true;
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or UnsupportedCommandException or TimeoutException or IOException)
        {
            Console.WriteLine($"  (could not induce a GC in {pid}: {ex.Message})");
            return false;
        }
    }
}
