namespace BroadcastGrains.Grains;

public static class BroadcastStorage
{
    /// <summary>The grain storage provider holding workspace and destination config.</summary>
    public const string Name = "broadcast";
}
