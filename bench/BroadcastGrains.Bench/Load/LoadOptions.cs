using BroadcastGrains.Bench.Run;

namespace BroadcastGrains.Bench.Load;

public sealed record LoadOptions
{
    /// <summary>The load a run's options ask for, sent to <paramref name="target"/>.</summary>
    public static LoadOptions For(RunOptions options, Uri target, string ingestToken) => new()
    {
        Target = target,
        IngestToken = ingestToken,
        Workspaces = options.Workspaces,
        RecordsPerRequest = options.RecordsPerRequest,
        Connections = options.Connections,
        Spread = options.Spread,
    };

    /// <summary>The server's base address; requests go to <c>/v1/traces</c>.</summary>
    public required Uri Target { get; init; }
    /// <summary>
    /// When not empty, connection i sends to <c>SpreadOver[i % n]</c> instead of <see cref="Target"/>: load spread over
    /// the silos of one cluster round-robin by connection, as a load balancer with keep-alive connections spreads it.
    /// </summary>
    public IReadOnlyList<Uri> SpreadOver { get; init; } = [];
    public required string IngestToken { get; init; }
    /// <summary>Records are spread over workspaces 0 .. Workspaces-1.</summary>
    public required int Workspaces { get; init; }
    public int RecordsPerRequest { get; init; } = 100;
    public int Connections { get; init; } = 8;
    public Spread Spread { get; init; } = Spread.Mixed;
    /// <summary>Distinct bodies to cycle through; enough that the server sees varied sizes and texts.</summary>
    public int Templates { get; init; } = 16;
    public int Seed { get; init; } = 42;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
