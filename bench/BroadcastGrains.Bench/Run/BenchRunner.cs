using System.Diagnostics;
using System.Security.Cryptography;
using BroadcastGrains.Bench.Load;

namespace BroadcastGrains.Bench.Run;

/// <summary>
/// The whole comparison, one program at a time so they never compete for the two cores: peaks of (a), (b),
/// (c); then open-loop latency at half of (c)'s peak for (c), (a), (b); then (d) idle memory; then (s) the same load
/// over clusters of 1, 2, 3 silos and (w) a fresh silo's first seconds.
/// </summary>
public static class BenchRunner
{
    public static async Task<int> RunAsync(RunOptions options)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var ct = cancel.Token;
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var repo = RepoRoot();
        var logDir = Path.Combine(repo, "bench", "results", "raw", startedAt.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(logDir);
        void Log(string line) => Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {line}");

        if (options.Build)
        {
            Log("publishing the host (Release, ReadyToRun)");
            await BuildHostAsync(repo, ct);
        }

        var launcher = new TargetLauncher(repo, logDir, "bench-admin-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            "bench-ingest-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), options.HostEnvironment);
        var stage = new ThroughputStage(options, launcher, Log);
        var a = new StageResult("a", "baseline (no Orleans, no storage)");
        var b = new StageResult("b", "BroadcastGrains, Memory storage");
        var c = new StageResult("c", "BroadcastGrains, Postgres storage");
        var rows = new List<StageResult>();
        var notes = new List<string>();
        IdleMemoryResult? idle = null;
        var scale = new List<ScaleOutResult>();
        ColdStartResult? cold = null;
        PrivatePostgres? postgres = null;

        // One failed part (a process that dies, a port taken) is reported, and the others still run.
        async Task Attempt(string part, StageResult? row, Func<Task> body)
        {
            try
            {
                await body();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Log($"  {part} failed: {ex.Message}");
                (row?.Notes ?? notes).Add($"{part} failed: {ex.Message}");
            }
        }

        async Task PostgresPeakAsync(StageResult into, string name)
        {
            await postgres!.CreateDatabaseAsync("bench_c_peak", ct);
            if (options.PostgresStatementStats) await postgres.TopStatementsAsync(1, reset: true, ct);
            await stage.RunAsync(TargetKind.Postgres, into, name, postgres, "bench_c_peak", measurePeak: true, openLoopRate: null, ct);
            if (options.PostgresStatementStats)
            {
                var top = await postgres.TopStatementsAsync(12, reset: false, ct);
                await File.WriteAllTextAsync(Path.Combine(logDir, name + "-statements.txt"), top, ct);
                Log($"PostgreSQL statements during {name}, by total time:\n" + top);
            }
            await postgres.SettleAsync("bench_c_peak", ct);
        }

        try
        {
            if (options.Runs('c') || options.Runs('d') || options.Runs('s') || options.Runs('w'))
            {
                postgres = await PrivatePostgres.StartAsync(options.PostgresStatementStats, ct);
                Log($"PostgreSQL {postgres.Version} on 127.0.0.1:{postgres.Port} (fsync on)");
            }
            foreach (var row in new[] { a, b, c })
                if (options.Runs(row.Row[0])) rows.Add(row);

            // Peaks in rounds of alternating order (a b c, then c b a, ...): this machine's speed drifts by tens of
            // per cent within minutes, and a drift that is linear over the run cancels out of the mean of a row.
            if (!options.HalfOnly)
            {
                var order = rows.ToList();
                for (var round = 1; round <= options.Rounds; round++)
                {
                    foreach (var row in round % 2 == 1 ? order : Enumerable.Reverse(order))
                    {
                        var name = $"{row.Row}-peak{(options.Rounds > 1 ? round.ToString(System.Globalization.CultureInfo.InvariantCulture) : "")}";
                        Log($"({row.Row}) {row.Label}: peak, round {round} of {options.Rounds}");
                        var one = new StageResult(row.Row, row.Label);
                        await Attempt("peak", row, () => row.Row switch
                        {
                            "a" => stage.RunAsync(TargetKind.Baseline, one, name, null, null, measurePeak: true, openLoopRate: null, ct),
                            "b" => stage.RunAsync(TargetKind.Memory, one, name, null, null, measurePeak: true, openLoopRate: null, ct),
                            _ => PostgresPeakAsync(one, name),
                        });
                        row.AddRound(one);
                    }
                }
            }

            double? halfRate = options.HalfRate;
            if (options.Runs('c'))
            {
                halfRate ??= c.DeliveredPerSecond / 2;
                if (halfRate is > 0)
                {
                    // A fresh process and database, like the other rows' half-rate runs, not one bloated by the peak's deletes.
                    Log($"(c) open loop at {halfRate:F0} records/s");
                    await Attempt("half-rate run", c, async () =>
                    {
                        await postgres!.CreateDatabaseAsync("bench_c_half", ct);
                        await stage.RunAsync(TargetKind.Postgres, c, "c-half", postgres, "bench_c_half", measurePeak: false, halfRate, ct);
                        await postgres.SettleAsync("bench_c_half", ct);
                    });
                }
            }
            if (halfRate is > 0)
            {
                if (options.Runs('a'))
                {
                    Log($"(a) open loop at {halfRate:F0} records/s");
                    if (!rows.Contains(a)) rows.Add(a);
                    await Attempt("half-rate run", a, () => stage.RunAsync(TargetKind.Baseline, a, "a-half", null, null, measurePeak: false, halfRate, ct));
                }
                if (options.Runs('b'))
                {
                    Log($"(b) open loop at {halfRate:F0} records/s");
                    if (!rows.Contains(b)) rows.Add(b);
                    await Attempt("half-rate run", b, () => stage.RunAsync(TargetKind.Memory, b, "b-half", null, null, measurePeak: false, halfRate, ct));
                }
            }
            if (options.Runs('d'))
            {
                Log($"(d) idle memory with {options.IdleWorkspaces} workspaces");
                await Attempt("(d) idle memory", null, async () =>
                {
                    await postgres!.CreateDatabaseAsync("bench_idle", ct);
                    idle = await new IdleMemoryStage(options, launcher, Log).RunAsync(postgres.ConnectionString("bench_idle"), ct);
                    // 100 000 workspaces' rows leave autovacuum busy for minutes: the (s) rows after this read 10-20 %
                    // more CPU per event in run 12 until the database went.
                    await postgres.SettleAsync("bench_idle", ct);
                });
            }
            if (options.Runs('s'))
            {
                foreach (var n in options.Silos)
                {
                    Log($"(s) {n} silo(s) of one cluster, load spread over their APIs");
                    await Attempt($"(s) {n} silos", null, async () => scale.Add(await new ScaleOutStage(options, launcher, stage, Log).RunAsync(n, postgres!, ct)));
                }
            }
            if (options.Runs('w'))
            {
                Log("(w) cold start: a fresh silo under load from the moment /readyz says ready");
                await Attempt("(w) cold start", null, async () => cold = await new ColdStartStage(options, launcher, stage, Log).RunAsync(postgres!, ct));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Log("interrupted: reporting what was measured");
        }
        finally
        {
            if (postgres is not null) await postgres.DisposeAsync();
        }

        double averageRecord;
        using (var probe = new LoadGenerator(new LoadOptions { Target = new Uri("http://127.0.0.1/"), IngestToken = "", Workspaces = 1, RecordsPerRequest = options.RecordsPerRequest }))
            averageRecord = probe.AverageRecordBytes;
        var report = ResultsReport.Render(options, MachineInfo.Describe(postgres?.Version), averageRecord, rows, idle, notes, startedAt, clock.Elapsed, scale, cold);
        Console.WriteLine();
        Console.WriteLine(report);
        var latest = Path.Combine(repo, "bench", "results", "latest.md");
        await File.WriteAllTextAsync(latest, report, CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(logDir, "results.md"), report, CancellationToken.None);
        Log($"written to {latest}; process logs in {logDir}");
        return ct.IsCancellationRequested ? 130 : 0;
    }

    private static async Task BuildHostAsync(string repo, CancellationToken cancellationToken)
    {
        // Published as an operator deploys it (and as the Dockerfile does): ReadyToRun code for every assembly, so that a
        // fresh process does not JIT its whole hot path under load (issue 18's cold start).
        var start = new ProcessStartInfo("dotnet", ["publish", "-c", "Release", "--use-current-runtime", "--self-contained", "false", "-p:PublishReadyToRun=true",
            "-o", TargetLauncher.PublishDirectory(repo), Path.Combine(repo, "src", "BroadcastGrains.Host"), "--nologo", "-v", "q"])
        {
            UseShellExecute = false,
        };
        using var build = Process.Start(start)!;
        await build.WaitForExitAsync(cancellationToken);
        if (build.ExitCode != 0) throw new InvalidOperationException("publishing the host failed");
    }

    private static string RepoRoot()
    {
        foreach (var from in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(from); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "BroadcastGrains.sln"))) return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("BroadcastGrains.sln not found above the current directory");
    }
}
