using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Telemetry;
using System.Runtime;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Host.Operations;

/// <summary>Checks now and then whether the silo is quiet with memory to give back (<see cref="MemoryTrimPolicy"/>), and gives it back.</summary>
public sealed partial class IdleMemoryTrimmer(IOptions<MemoryTrimOptions> options, PayloadPool payloads, ILogger<IdleMemoryTrimmer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled) return;
        using var activations = new ActivationCountListener();
        using var timer = new PeriodicTimer(settings.CheckInterval);
        var allocated = GC.GetTotalAllocatedBytes();
        var activationsMark = activations.Read();
        var activationsAtCheck = activationsMark;
        var committedAtTrim = GC.GetGCMemoryInfo().TotalCommittedBytes;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var allocatedNow = GC.GetTotalAllocatedBytes();
            var activationsNow = activations.Read();
            var committedNow = GC.GetGCMemoryInfo().TotalCommittedBytes;
            var allocatedSinceCheck = allocatedNow - allocated;
            allocated = allocatedNow;
            var stillDropping = activationsNow < activationsAtCheck;
            activationsAtCheck = activationsNow;
            // The drop is measured from the highest count since the last trim: a busy period raises the mark.
            activationsMark = Math.Max(activationsMark, activationsNow);
            if (!MemoryTrimPolicy.ShouldTrim(allocatedSinceCheck, activationsMark - activationsNow, committedNow - committedAtTrim, stillDropping, settings)) continue;

            var before = Environment.WorkingSet;
            // Free payload blocks are kept for the next burst; a quiet silo gives them back with the rest.
            payloads.Trim();
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            NativeHeapTrim.Run();
            activationsMark = activationsNow;
            committedAtTrim = GC.GetGCMemoryInfo().TotalCommittedBytes;
            allocated = GC.GetTotalAllocatedBytes();
            BroadcastTelemetry.MemoryTrims.Add(1);
            LogTrimmed((before - Environment.WorkingSet) / (1024 * 1024), Environment.WorkingSet / (1024 * 1024));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo quiet: returned {FreedMiB} MiB to the OS, working set now {WorkingSetMiB} MiB")]
    private partial void LogTrimmed(long freedMiB, long workingSetMiB);
}
