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
    /// <summary>Delivered events/s of each peak round, in the order they ran.</summary>
    public List<double> DeliveredRounds { get; } = new();

    /// <summary>
    /// Folds one peak round in: rates and latencies become the mean over the rounds so far, CPU shares and the
    /// peak RSS come from the busiest round, notes are kept.
    /// </summary>
    public void AddRound(StageResult round)
    {
        Notes.AddRange(round.Notes);
        if (round.DeliveredPerSecond is not { } delivered) return;
        var n = DeliveredRounds.Count;
        DeliveredRounds.Add(delivered);
        DeliveredPerSecond = Mean(DeliveredPerSecond, delivered, n);
        AcceptedPerSecond = Mean(AcceptedPerSecond, round.AcceptedPerSecond, n);
        PeakP50Ms = Mean(PeakP50Ms, round.PeakP50Ms, n);
        PeakP99Ms = Mean(PeakP99Ms, round.PeakP99Ms, n);
        if (PeakCpu is null || delivered >= DeliveredRounds.Max()) PeakCpu = round.PeakCpu;
        PeakResidentBytes = Math.Max(PeakResidentBytes ?? 0, round.PeakResidentBytes ?? 0);
        EventBytes ??= round.EventBytes;
    }

    private static double? Mean(double? sofar, double? next, int n) =>
        next is not { } x ? sofar : sofar is not { } m ? x : (m * n + x) / (n + 1);
}
