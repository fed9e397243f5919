using BroadcastGrains.PostHog.Delivery;

namespace BroadcastGrains.Grains.Delivery;

public static class SendClassifier
{
    public static SendVerdict Classify(SendOutcome outcome) => outcome.Status switch
    {
        null => SendVerdict.Retry,
        >= 200 and < 300 => SendVerdict.Delivered,
        400 => SendVerdict.SplitRejected,
        401 or 403 => SendVerdict.Pause,
        413 => SendVerdict.SplitTooLarge,
        // Anything else (408, 429, 5xx, and odd answers such as a proxy's 404) may heal: retrying until the
        // events expire loses nothing, whereas dead-lettering on a transient misroute would.
        _ => SendVerdict.Retry,
    };
}
