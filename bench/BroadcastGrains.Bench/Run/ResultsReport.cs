using System.Globalization;
using System.Text;

namespace BroadcastGrains.Bench.Run;

/// <summary>The Markdown that is printed and written to bench/results/latest.md.</summary>
public static class ResultsReport
{
    public static string Render(
        RunOptions options, string machine, double averageRecordBytes, IReadOnlyList<StageResult> rows, IdleMemoryResult? idle, IReadOnlyList<string> runNotes,
        DateTimeOffset startedAt, TimeSpan took, IReadOnlyList<ScaleOutResult>? scale = null, ColdStartResult? cold = null)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var a = rows.FirstOrDefault(r => r.Row == "a");
        var cRow = rows.FirstOrDefault(r => r.Row == "c");
        var halfRate = rows.Select(r => r.HalfRate).FirstOrDefault(r => r is not null);

        sb.AppendLine(c, $"## Bench results, {startedAt:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        sb.AppendLine($"Command: `{$"dotnet run -c Release --project bench/BroadcastGrains.Bench -- run {options.CommandLine}".TrimEnd()}`");
        sb.AppendLine();
        sb.AppendLine(c, $"Machine: {machine}.");
        sb.AppendLine();
        sb.AppendLine($"Load: {options.Workspaces} workspaces with one destination each, spread `{options.Spread.ToString().ToLowerInvariant()}`, " +
            $"{options.RecordsPerRequest} records per request (average record {averageRecordBytes:F0} B" +
            (rows.FirstOrDefault(r => r.EventBytes is not null)?.EventBytes is { } eventBytes ? $", average event at the sink {eventBytes:F0} B" : "") +
            $"), {options.Connections} keep-alive connections; " +
            $"warm-up {options.WarmupSeconds} s, then {options.Seconds} s measured per phase; every program in a fresh process; " +
            $"{(options.Rounds > 1 ? $"peaks are the mean of {options.Rounds} rounds" : "one peak round")}. Took {took.TotalMinutes:F1} min." +
            (options.HostEnvironment.Count > 0 ? $" BroadcastGrains processes ran with {string.Join(", ", options.HostEnvironment.Select(kv => $"`{kv.Key}={kv.Value}`"))}." : ""));
        sb.AppendLine();
        var halfHeader = halfRate is { } h ? $"ingest p50 / p99 at {h.ToString("F0", c)} records/s (half of (c)'s peak), ms" : "ingest p50 / p99 at half of (c)'s peak, ms";
        sb.AppendLine(c, $"| | delivered events/s | ratio to (a) | accepted records/s | ingest p50 / p99 at peak, ms | {halfHeader} | peak RSS | CPU cores at peak: target / bench / PostgreSQL / other |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var ratio = a?.DeliveredPerSecond is > 0 && r.DeliveredPerSecond is { } d ? (d / a.DeliveredPerSecond.Value).ToString("F2", c) : "—";
            sb.AppendLine($"| ({r.Row}) {r.Label} | {N(r.DeliveredPerSecond)} | {ratio} | {N(r.AcceptedPerSecond)} | {Ms(r.PeakP50Ms)} / {Ms(r.PeakP99Ms)} | " +
                $"{Ms(r.HalfP50Ms)} / {Ms(r.HalfP99Ms)} | {(r.PeakResidentBytes is { } rss ? IdleMemoryStage.Mb(rss) : "—")} | {r.PeakCpu?.ToString() ?? "—"} |");
        }
        if (rows.Any(r => r.DeliveredRounds.Count > 1))
        {
            sb.AppendLine();
            sb.AppendLine($"Peak rounds (delivered events/s, in the order they ran; rows alternate a b c, c b a, …): " +
                string.Join("; ", rows.Where(r => r.DeliveredRounds.Count > 0).Select(r =>
                    $"({r.Row}) {string.Join(" / ", r.DeliveredRounds.Select(v => v.ToString("N0", c)))}")) + ".");
        }
        sb.AppendLine();
        if (idle is not null)
        {
            sb.AppendLine($"Idle memory (d): a Postgres-mode silo holding {idle.Workspaces} configured workspaces (one idle destination each), " +
                $"after idle grains were deactivated (CollectionAge 1 min): **{idle.BytesPerWorkspace:F0} B per workspace** " +
                $"(VmRSS {IdleMemoryStage.Mb(idle.IdleBytes)} vs {IdleMemoryStage.Mb(idle.EmptyBytes)} for the same silo before they were added; peak while configuring {IdleMemoryStage.Mb(idle.PeakBytes)})" +
                (idle.BytesPerWorkspaceAfterGc is { } g
                    ? $"; after an induced full GC in both states: {g:F0} B per workspace ({IdleMemoryStage.Mb(idle.IdleAfterGcBytes!.Value)} vs {IdleMemoryStage.Mb(idle.EmptyAfterGcBytes!.Value)})"
                    : "") +
                (idle.HeapBytesPerWorkspace is { } heap
                    ? $"; live managed heap after that GC: {heap:F0} B per workspace ({IdleMemoryStage.Mb(idle.IdleHeapBytes!.Value)} vs {IdleMemoryStage.Mb(idle.EmptyHeapBytes!.Value)})."
                    : ".") +
                $" Workspaces were configured through the API at {idle.ProvisionPerSecond:F0}/s.");
            sb.AppendLine();
        }

        scale ??= [];
        ScaleReport.Render(sb, scale, cold);
        sb.AppendLine("Targets (issues 6 and 18):");
        var b = rows.FirstOrDefault(r => r.Row == "b");
        // Three decimals: 0.496 printed as 0.50 would read as met.
        sb.AppendLine(Target("(b) ≥ 0.75 × (a) delivered events/s", Ratio(b, a), v => v >= 0.75, "F3"));
        sb.AppendLine(Target("(c) ≥ 0.5 × (a) delivered events/s", Ratio(cRow, a), v => v >= 0.5, "F3"));
        sb.AppendLine(Target("(c) ingest p99 ≤ 50 ms at half of (c)'s peak", cRow?.HalfP99Ms, v => v <= 50, "F1", " ms"));
        sb.AppendLine(Target("≤ 2 KB resident per idle configured workspace", idle?.BytesPerWorkspace, v => v <= 2048, "F0", " B"));
        ScaleReport.Targets(sb, scale, cold);
        var notes = rows.SelectMany(r => r.Notes.Select(n => $"({r.Row}) {n}"))
            .Concat(scale.SelectMany(r => r.Notes.Select(n => $"(s, {r.Silos} silos) {n}")))
            .Concat(cold?.Notes.Select(n => $"(w) {n}") ?? [])
            .Concat(runNotes).ToList();
        if (notes.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Notes:");
            foreach (var n in notes) sb.AppendLine(c, $"- {n}");
        }
        return sb.ToString();
    }

    private static double? Ratio(StageResult? x, StageResult? a) =>
        x?.DeliveredPerSecond is { } v && a?.DeliveredPerSecond is > 0 ? v / a.DeliveredPerSecond.Value : null;

    private static string Target(string what, double? value, Func<double, bool> holds, string format, string unit = "") =>
        value is { } v
            ? $"- {what}: {v.ToString(format, CultureInfo.InvariantCulture)}{unit} — {(holds(v) ? "met" : "**not met**")}"
            : $"- {what}: not measured in this run";

    private static string N(double? v) => v is { } x ? x.ToString("N0", CultureInfo.InvariantCulture) : "—";
    private static string Ms(double? v) => v is { } x ? x.ToString("F1", CultureInfo.InvariantCulture) : "—";
}
