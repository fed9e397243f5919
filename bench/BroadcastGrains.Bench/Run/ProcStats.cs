using System.Globalization;

namespace BroadcastGrains.Bench.Run;

/// <summary>Linux /proc readings: resident memory and CPU time, per process and for the machine.</summary>
public static class ProcStats
{
    private static readonly double TicksPerSecond = 100; // USER_HZ is 100 on every Linux this runs on

    /// <summary>A field of /proc/PID/status in bytes (VmRSS: resident now; VmHWM: the peak), or null if the process is gone.</summary>
    public static long? StatusBytes(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
                var kb = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    /// <summary>User + system CPU seconds a process has used so far.</summary>
    public static double ProcessCpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name may hold spaces and parentheses; fields are counted after its last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// CPU seconds of a process and its children: the live ones, plus those it has already reaped (cutime/cstime).
    /// PostgreSQL's backends are children of the postmaster, so this is the cluster's CPU and nobody else's.
    /// </summary>
    public static double ProcessTreeCpuSeconds(int rootPid)
    {
        double total = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (pid != rootPid && parent != rootPid) continue;
                total += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                if (pid == rootPid) total += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // the process ended while being read
            }
        }
        return total / TicksPerSecond;
    }

    /// <summary>Busy CPU seconds of the whole machine, summed over cores.</summary>
    public static double MachineBusySeconds()
    {
        var first = File.ReadLines("/proc/stat").First();
        var v = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var total = v.Take(8).Sum(); // user nice system idle iowait irq softirq steal
        var idle = v[3] + v[4];
        return (total - idle) / TicksPerSecond;
    }
}
