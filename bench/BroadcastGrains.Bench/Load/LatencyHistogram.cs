namespace BroadcastGrains.Bench.Load;

/// <summary>
/// A log-linear histogram of microseconds in the manner of HdrHistogram: exact below 256 µs, then 128
/// sub-buckets per power of two (under 0.8 % error). Fixed size, no allocation per value; one per worker,
/// merged at the end, so recording needs no lock.
/// </summary>
public sealed class LatencyHistogram
{
    private const int LinearLimit = 256;
    private const int SubBits = 7;
    private const int SubBuckets = 1 << SubBits;
    private const int MaxExponent = 40;
    private readonly long[] _counts = new long[LinearLimit + MaxExponent * SubBuckets];

    public long Count { get; private set; }
    public long MaxMicros { get; private set; }
    private double _sum;

    public double MeanMicros => Count == 0 ? 0 : _sum / Count;

    public void Record(long micros)
    {
        if (micros < 0) micros = 0;
        _counts[IndexOf(micros)]++;
        Count++;
        _sum += micros;
        if (micros > MaxMicros) MaxMicros = micros;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        _sum += other._sum;
        MaxMicros = Math.Max(MaxMicros, other.MaxMicros);
    }

    /// <summary>The smallest bucket bound that at least <paramref name="percent"/> % of values do not exceed.</summary>
    public long PercentileMicros(double percent)
    {
        if (Count == 0) return 0;
        var target = (long)Math.Ceiling(percent / 100.0 * Count);
        if (target < 1) target = 1;
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= target) return Math.Min(HighestInBucket(i), MaxMicros);
        }
        return MaxMicros;
    }

    private static int IndexOf(long v)
    {
        if (v < LinearLimit) return (int)v;
        var exponent = 63 - (int)long.LeadingZeroCount(v) - SubBits; // >= 1 here
        if (exponent > MaxExponent) return LinearLimit + MaxExponent * SubBuckets - 1;
        var sub = (int)(v >> exponent) - SubBuckets;
        return LinearLimit + (exponent - 1) * SubBuckets + sub;
    }

    private static long HighestInBucket(int index)
    {
        if (index < LinearLimit) return index;
        var exponent = (index - LinearLimit) / SubBuckets + 1;
        var sub = (index - LinearLimit) % SubBuckets + SubBuckets;
        return ((long)(sub + 1) << exponent) - 1;
    }
}
