namespace BroadcastGrains.Bench.Run;

/// <summary>One row of the table, filled by the peak run and the half-rate run of that program.</summary>
public sealed class StageResult(string row, string label)
{
    public string Row { get; } = row;
    public string Label { get; } = label;
    public double? DeliveredPerSecond { get; set; }
    public double? AcceptedPerSecond { get; set; }
    public double? PeakP50Ms { get; set; }
    public double? PeakP99Ms { get; set; }
    public double? HalfRate { get; set; }
    public double? HalfAchievedRate { get; set; }
    public double? HalfP50Ms { get; set; }
    public double? HalfP99Ms { get; set; }
    public long? PeakResidentBytes { get; set; }
    public CpuShare? PeakCpu { get; set; }
    /// <summary>Average delivered event as the sink saw it (uncompressed JSON, batch envelope included).</summary>
    public double? EventBytes { get; set; }
    public List<string> Notes { get; } = new();
}
