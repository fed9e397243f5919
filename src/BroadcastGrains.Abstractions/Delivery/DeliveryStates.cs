namespace BroadcastGrains.Delivery;

public static class DeliveryStates
{
    public const string Healthy = "healthy";
    public const string Retrying = "retrying";
    public const string Paused = "paused";
    public const string Disabled = "disabled";
}
