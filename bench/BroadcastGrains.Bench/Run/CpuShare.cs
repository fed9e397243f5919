namespace BroadcastGrains.Bench.Run;

/// <summary>
/// Who used the CPU during a phase, in cores: the program under test, this process (load generator and
/// sink), our PostgreSQL, and everything else — on a 2-core machine this is where a bottleneck shows, and a
/// non-zero "other" means something outside the bench competed with it.
/// </summary>
public readonly record struct CpuShare(double Target, double Bench, double Postgres, double Other)
{
    public static Func<CpuShare> Start(int targetPid, int? postgresPid) => Start([targetPid], postgresPid);

    /// <summary>Several processes under test (the silos of one cluster): their CPU is summed into <see cref="Target"/>.</summary>
    public static Func<CpuShare> Start(IReadOnlyList<int> targetPids, int? postgresPid)
    {
        var self = Environment.ProcessId;
        var at = DateTime.UtcNow;
        double TargetSeconds() => targetPids.Sum(ProcStats.ProcessCpuSeconds);
        var target0 = TargetSeconds();
        var self0 = ProcStats.ProcessCpuSeconds(self);
        var pg0 = postgresPid is { } pg ? ProcStats.ProcessTreeCpuSeconds(pg) : 0;
        var machine0 = ProcStats.MachineBusySeconds();
        return () =>
        {
            var seconds = (DateTime.UtcNow - at).TotalSeconds;
            var target = (TargetSeconds() - target0) / seconds;
            var bench = (ProcStats.ProcessCpuSeconds(self) - self0) / seconds;
            var postgres = postgresPid is { } p ? (ProcStats.ProcessTreeCpuSeconds(p) - pg0) / seconds : 0;
            var machine = (ProcStats.MachineBusySeconds() - machine0) / seconds;
            return new CpuShare(target, bench, postgres, Math.Max(0, machine - target - bench - postgres));
        };
    }

    public override string ToString() => $"{Target:F2} / {Bench:F2} / {Postgres:F2} / {Other:F2}";
}
