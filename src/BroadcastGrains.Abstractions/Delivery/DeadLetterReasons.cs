namespace BroadcastGrains.Delivery;

public static class DeadLetterReasons
{
    public const string Expired = "expired";
    public const string TooLarge = "too_large";
    public const string Rejected = "rejected";
    public const string BacklogFull = "backlog_full";
}
