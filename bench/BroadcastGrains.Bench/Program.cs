using BroadcastGrains.Bench.Baseline;
using BroadcastGrains.Bench.Run;

// `run` is the whole comparison; `baseline` is the floor server, which `run` starts as its own process.
return args.Length == 0 ? Usage() : args[0] switch
{
    "run" => await BenchRunner.RunAsync(RunOptions.Parse(args[1..])),
    "baseline" => await BaselineServer.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: BroadcastGrains.Bench run [--seconds 20] [--workspaces 1000] [--idle-workspaces 100000] [--spread mixed|grouped]
                                         [--connections 8] [--records 100] [--warmup 30] [--only a,b,c,d,s,w] [--silos 1,2,3] [--s-rate 15000] [--half-rate R] [--no-build] [--pg-stats] [--host-env KEY=VALUE]...
               BroadcastGrains.Bench baseline --port P --ingest-token T --admin-token A [--max-concurrent-sends 64]
        """);
    return 2;
}
