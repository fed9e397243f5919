namespace BroadcastGrains.Bench.Run;

/// <summary>
/// Who used the CPU during a phase, in cores: the program under test, this process (load generator and
/// sink), and everything else (PostgreSQL, mostly). On a 2-core machine this is where a bottleneck shows.
/// </summary>
public readonly record struct CpuShare(double Target, double Bench, double Other)
{
    public static Func<CpuShare> Start(int targetPid)
    {
        var self = Environment.ProcessId;
        var at = DateTime.UtcNow;
        var target0 = ProcStats.ProcessCpuSeconds(targetPid);
        var self0 = ProcStats.ProcessCpuSeconds(self);
        var machine0 = ProcStats.MachineBusySeconds();
        return () =>
        {
            var seconds = (DateTime.UtcNow - at).TotalSeconds;
            var target = (ProcStats.ProcessCpuSeconds(targetPid) - target0) / seconds;
            var bench = (ProcStats.ProcessCpuSeconds(self) - self0) / seconds;
            var machine = (ProcStats.MachineBusySeconds() - machine0) / seconds;
            return new CpuShare(target, bench, Math.Max(0, machine - target - bench));
        };
    }

    public override string ToString() => $"{Target:F2} / {Bench:F2} / {Other:F2}";
}
