namespace BroadcastGrains.Bench.Load;

/// <summary>How the records of one ingest request are spread over workspaces.</summary>
public enum Spread
{
    /// <summary>Each record's workspace is drawn at random: a gateway's mixed traffic, the hard case for grouping.</summary>
    Mixed,
    /// <summary>Each request holds one workspace's records: a client batching per tenant.</summary>
    Grouped,
}
