using System.Globalization;
using System.Text;

namespace BroadcastGrains.Bench.Run;

/// <summary>The scale-out (s) and cold-start (w) parts of the Markdown report, with their targets (issue 18).</summary>
public static class ScaleReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void Render(StringBuilder sb, IReadOnlyList<ScaleOutResult> scale, ColdStartResult? cold)
    {
        if (scale.Count > 0)
        {
            var one = scale.FirstOrDefault(r => r.Silos == 1);
            sb.AppendLine("Scale-out (s): N silos of one cluster on this machine (Postgres clustering and storage, one fresh database per N), " +
                "the load's connections spread round-robin over their APIs; all of them share the same cores, so events/s cannot grow — " +
                "CPU per delivered event is the figure to read.");
            sb.AppendLine();
            sb.AppendLine("Closed loop (saturation):");
            sb.AppendLine();
            sb.AppendLine("| silos | delivered events/s | accepted records/s | ingest p99, ms | CPU cores: silos (each) / PostgreSQL / bench / other | µs of silos + PostgreSQL CPU per event | vs 1 silo | request shares local / remote / fallback; misplaced destination calls |");
            sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in scale)
            {
                var vs = Ratio(r.MicrosPerEvent, one?.MicrosPerEvent);
                var cores = r.Cpu is { } cpu
                    ? $"{cpu.Target.ToString("F2", C)} ({string.Join(" + ", r.SiloCores.Select(x => x.ToString("F2", C)))}) / {cpu.Postgres.ToString("F2", C)} / {cpu.Bench.ToString("F2", C)} / {cpu.Other.ToString("F2", C)}"
                    : "—";
                sb.AppendLine(C, $"| {r.Silos} | {N(r.DeliveredPerSecond)} | {N(r.AcceptedPerSecond)} | {F(r.PeakP99Ms)} | {cores} | {F(r.MicrosPerEvent)} | {vs} | {r.LocalShares} / {r.RemoteShares} / {r.FallbackShares}; {r.MisplacedEnqueues} |");
            }
            sb.AppendLine();
            if (scale.Any(r => r.FixedRate is not null))
            {
                sb.AppendLine(C, $"Open loop at {N(scale.First(r => r.FixedRate is not null).FixedRate)} records/s for every N (the same work, below saturation):");
                sb.AppendLine();
                sb.AppendLine("| silos | delivered events/s | ingest p99, ms | CPU cores: silos / PostgreSQL / bench / other | µs of silos + PostgreSQL CPU per event | vs 1 silo |");
                sb.AppendLine("|---:|---:|---:|---:|---:|---:|");
                foreach (var r in scale.Where(r => r.FixedRate is not null))
                    sb.AppendLine(C, $"| {r.Silos} | {N(r.FixedDeliveredPerSecond)} | {F(r.FixedP99Ms)} | {r.FixedCpu?.ToString() ?? "—"} | {F(r.FixedMicrosPerEvent)} | {Ratio(r.FixedMicrosPerEvent, one?.FixedMicrosPerEvent)} |");
                sb.AppendLine();
            }
        }
        if (cold is not null)
        {
            sb.AppendLine(C, $"Cold start (w): a fresh Postgres-mode silo over already configured workspaces, closed-loop load from the moment `/readyz` answered 200 " +
                $"({(cold.TimeToReady is { } t ? t.TotalSeconds.ToString("F1", C) + " s after the process started" : "not ready")}).");
            sb.AppendLine();
            sb.AppendLine("| second after /readyz | " + string.Join(" | ", Enumerable.Range(1, cold.DeliveredPerSecond.Count)) + " | steady |");
            sb.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", cold.DeliveredPerSecond.Count + 1)));
            sb.AppendLine("| delivered events/s | " + string.Join(" | ", cold.DeliveredPerSecond.Select(v => N(v))) + $" | {N(cold.SteadyDeliveredPerSecond)} |");
            sb.AppendLine("| accepted records/s | " + string.Join(" | ", cold.AcceptedPerSecond.Select(v => N(v))) + $" | {N(cold.SteadyAcceptedPerSecond)} |");
            sb.AppendLine();
        }
    }

    public static void Targets(StringBuilder sb, IReadOnlyList<ScaleOutResult> scale, ColdStartResult? cold)
    {
        var one = scale.FirstOrDefault(r => r.Silos == 1)?.MicrosPerEvent;
        var three = scale.FirstOrDefault(r => r.Silos == 3)?.MicrosPerEvent;
        sb.AppendLine(Target("CPU per delivered event with 3 silos ≤ 1.15 × with 1 silo, at saturation", one is > 0 && three is { } x ? x / one.Value : null, v => v <= 1.15));
        var oneFixed = scale.FirstOrDefault(r => r.Silos == 1)?.FixedMicrosPerEvent;
        var threeFixed = scale.FirstOrDefault(r => r.Silos == 3)?.FixedMicrosPerEvent;
        sb.AppendLine(Target("CPU per delivered event with 3 silos ≤ 1.15 × with 1 silo, at the same fixed rate", oneFixed is > 0 && threeFixed is { } y ? y / oneFixed.Value : null, v => v <= 1.15));
        sb.AppendLine(Target($"delivered events/s in the first {ColdStartStage.FirstSeconds} s after /readyz ≥ 0.6 × steady state", cold?.Ratio, v => v >= 0.6));
    }

    private static string Target(string what, double? value, Func<double, bool> holds) =>
        value is { } v
            ? $"- {what}: {v.ToString("F3", C)} — {(holds(v) ? "met" : "**not met**")}"
            : $"- {what}: not measured in this run";

    private static string Ratio(double? value, double? baseline) =>
        value is { } v && baseline is > 0 ? (v / baseline.Value).ToString("F2", C) : "—";

    private static string N(double? v) => v is { } x ? x.ToString("N0", C) : "—";
    private static string F(double? v) => v is { } x ? x.ToString("F1", C) : "—";
}
