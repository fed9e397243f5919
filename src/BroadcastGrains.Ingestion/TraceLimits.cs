namespace BroadcastGrains.Ingestion;

public static class TraceLimits
{
    public const int MaxRecordsPerRequest = 1000;
    public const int MaxBodyBytes = 10 * 1024 * 1024;
    public const int MaxGenerationIdLength = 128;
    /// <summary>Beyond this many errors a response gets no more useful; the rest are not reported.</summary>
    public const int MaxReportedErrors = 50;
}
