namespace BroadcastGrains.Bench.Load;

/// <summary>
/// Fixed-width names, so that a request body can be re-stamped with other workspaces and generation ids in
/// place without changing its length.
/// </summary>
public static class BenchNames
{
    public const int WorkspaceDigits = 7;
    public const int GenerationDigits = 14;
    public const string WorkspacePrefix = "bench-ws-";
    public const string GenerationPrefix = "gen-";

    public static string Workspace(int index) => WorkspacePrefix + index.ToString("D" + WorkspaceDigits, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One key per workspace, so the sink's per-key counts are per-workspace counts.</summary>
    public static string ApiKey(int index) => "phc_bench_" + index.ToString("D" + WorkspaceDigits, System.Globalization.CultureInfo.InvariantCulture) + "_k3y";

    /// <summary>Writes <paramref name="value"/> as exactly <c>digits.Length</c> ASCII digits.</summary>
    public static void StampDigits(Span<byte> digits, long value)
    {
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            digits[i] = (byte)('0' + (int)(value % 10));
            value /= 10;
        }
    }
}
