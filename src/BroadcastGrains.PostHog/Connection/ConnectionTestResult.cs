namespace BroadcastGrains.PostHog.Connection;

public sealed record ConnectionTestResult(bool Ok, string? Detail)
{
    public static readonly ConnectionTestResult Passed = new(true, null);
    public static ConnectionTestResult Failed(string detail) => new(false, detail);
}
