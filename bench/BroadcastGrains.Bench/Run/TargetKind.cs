namespace BroadcastGrains.Bench.Run;

public enum TargetKind
{
    /// <summary>(a) the bare floor.</summary>
    Baseline,
    /// <summary>(b) BroadcastGrains with in-memory storage.</summary>
    Memory,
    /// <summary>(c) BroadcastGrains with PostgreSQL storage: a 202 means committed.</summary>
    Postgres,
}
