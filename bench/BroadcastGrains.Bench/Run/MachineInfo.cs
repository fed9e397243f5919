using System.Runtime.InteropServices;

namespace BroadcastGrains.Bench.Run;

public static class MachineInfo
{
    public static string Describe(string? postgresVersion)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memKb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var memGiB = long.Parse(memKb, System.Globalization.CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        return $"nproc {Environment.ProcessorCount}, {cpu}, {memGiB:F1} GiB RAM, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}"
            + (postgresVersion is null ? "" : $", {postgresVersion} (fsync on, synchronous_commit on)");
    }
}
