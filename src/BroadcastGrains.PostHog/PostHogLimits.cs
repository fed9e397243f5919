namespace BroadcastGrains.PostHog;

/// <summary>Size limits for what is sent to PostHog's <c>/batch/</c> endpoint (CONTRACT §6).</summary>
public static class PostHogLimits
{
    /// <summary>
    /// PostHog silently discards events of about 1 MB; staying well under it leaves room for the batch
    /// envelope and for the server's own additions.
    /// </summary>
    public const int MaxEventBytes = 900 * 1024;

    public const int MaxBatchEvents = 500;

    /// <summary>Uncompressed bytes per request. PostHog accepts far more; small requests retry cheaply.</summary>
    public const int MaxBatchBytes = 4 * 1024 * 1024;
}
