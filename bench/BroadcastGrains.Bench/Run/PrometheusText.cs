using System.Globalization;

namespace BroadcastGrains.Bench.Run;

/// <summary>Reads the host's <c>/metrics</c> text (Prometheus exposition format), which the stages save around each phase.</summary>
public static class PrometheusText
{
    /// <summary>
    /// The sum over the series of metric <paramref name="name"/> (exactly that name) that carry <paramref name="label"/>
    /// (e.g. <c>where="remote"</c>), or over all its series when it is null; null when the text has none of them.
    /// </summary>
    public static double? Sum(string? metrics, string name, string? label = null)
    {
        if (metrics is null) return null;
        double? total = null;
        foreach (var line in metrics.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' ')) continue;
            if (label is not null && !line.Contains(label, StringComparison.Ordinal)) continue;
            if (Value(line) is { } value) total = (total ?? 0) + value;
        }
        return total;
    }

    /// <summary>The sample value: the first field after the name and its labels (a timestamp may follow it).</summary>
    private static double? Value(ReadOnlySpan<char> line)
    {
        var labelsEnd = line.LastIndexOf('}');
        var rest = (labelsEnd >= 0 ? line[(labelsEnd + 1)..] : line[(line.IndexOf(' ') + 1)..]).Trim();
        var space = rest.IndexOf(' ');
        if (space >= 0) rest = rest[..space];
        return double.TryParse(rest, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
