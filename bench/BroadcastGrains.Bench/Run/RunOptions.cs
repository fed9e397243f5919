using System.Globalization;
using BroadcastGrains.Bench.Load;

namespace BroadcastGrains.Bench.Run;

public sealed record RunOptions
{
    public int Seconds { get; init; } = 20;
    /// <summary>Peak rounds per row, in alternating order (a b c, c b a, ...); a row's peak is the mean of its rounds.</summary>
    public int Rounds { get; init; } = 2;
    /// <summary>Long enough for tiered JIT and Orleans' caches to settle; a short warm-up understates the host the most.</summary>
    public int WarmupSeconds { get; init; } = 30;
    public int Workspaces { get; init; } = 1000;
    public int IdleWorkspaces { get; init; } = 100_000;
    public Spread Spread { get; init; } = Spread.Mixed;
    public int Connections { get; init; } = 8;
    public int RecordsPerRequest { get; init; } = 100;
    /// <summary>Which parts to run: a, b, c (throughput rows), d (idle memory), s (scale-out over silos), w (cold start).</summary>
    public string Only { get; init; } = "abcdsw";
    /// <summary>Cluster sizes of the scale-out part, each a fresh cluster on a fresh database.</summary>
    public IReadOnlyList<int> Silos { get; init; } = [1, 2, 3];
    /// <summary>
    /// The scale-out stage's second phase: one open-loop rate in records/s for every cluster size, below what three
    /// silos on this machine carry, so that CPU per event is compared at equal work rather than at saturation.
    /// </summary>
    public double ScaleOutRate { get; init; } = 15_000;
    /// <summary>Open-loop rate in records/s; by default half of (c)'s measured peak.</summary>
    public double? HalfRate { get; init; }
    /// <summary>Skip the closed-loop peaks and run only the open-loop rows at <see cref="HalfRate"/> (a latency study).</summary>
    public bool HalfOnly { get; init; }
    public bool Build { get; init; } = true;
    /// <summary>Load pg_stat_statements and log (c)'s most expensive statements (a diagnosis aid; it costs a little).</summary>
    public bool PostgresStatementStats { get; init; }
    /// <summary>Extra environment for the BroadcastGrains processes (e.g. DOTNET_gcServer=0), to try an operator knob.</summary>
    public IReadOnlyDictionary<string, string> HostEnvironment { get; init; } = new Dictionary<string, string>();
    public string CommandLine { get; init; } = "";

    public bool Runs(char part) => Only.Contains(part);

    public static RunOptions Parse(string[] args)
    {
        var o = new RunOptions { CommandLine = string.Join(' ', args) };
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--seconds" => o with { Seconds = Int() },
                "--warmup" => o with { WarmupSeconds = Int() },
                "--workspaces" => o with { Workspaces = Int() },
                "--idle-workspaces" => o with { IdleWorkspaces = Int() },
                "--spread" => o with { Spread = Enum.Parse<Spread>(Value(), ignoreCase: true) },
                "--connections" => o with { Connections = Int() },
                "--records" => o with { RecordsPerRequest = Int() },
                "--only" => o with { Only = Value().Replace(",", "", StringComparison.Ordinal).ToLowerInvariant() },
                "--half-rate" => o with { HalfRate = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--rounds" => o with { Rounds = Int() },
                "--silos" => o with { Silos = Value().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList() },
                "--s-rate" => o with { ScaleOutRate = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--half-only" => o with { HalfOnly = true },
                "--no-build" => o with { Build = false },
                "--pg-stats" => o with { PostgresStatementStats = true },
                "--host-env" => o with { HostEnvironment = WithPair(o.HostEnvironment, Value()) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (o.HalfOnly && o.HalfRate is not > 0) throw new ArgumentException("--half-only needs --half-rate R");
        if (o.Silos.Count == 0 || o.Silos.Any(n => n is < 1 or > 5)) throw new ArgumentException("--silos takes counts of 1..5, e.g. 1,2,3");
        if (o.ScaleOutRate is < 100 or > 1_000_000) throw new ArgumentException("--s-rate must be 100..1 000 000 records/s");
        if (o.Rounds is < 1 or > 9) throw new ArgumentException("--rounds must be 1..9");
        if (o.Seconds is < 1 or > 3600) throw new ArgumentException("--seconds must be 1..3600");
        if (o.Workspaces is < 1 or > 9_999_999 || o.IdleWorkspaces is < 1 or > 9_000_000) throw new ArgumentException("workspace counts must be 1..9 000 000");
        if (o.RecordsPerRequest is < 1 or > 1000) throw new ArgumentException("--records must be 1..1000");
        if (o.Connections is < 1 or > 1024) throw new ArgumentException("--connections must be 1..1024");
        return o;
    }

    private static Dictionary<string, string> WithPair(IReadOnlyDictionary<string, string> existing, string pair)
    {
        var eq = pair.IndexOf('=');
        if (eq <= 0) throw new ArgumentException("--host-env takes KEY=VALUE");
        return new Dictionary<string, string>(existing) { [pair[..eq]] = pair[(eq + 1)..] };
    }
}
