namespace BroadcastGrains.Destinations;

/// <summary>Destination grains are keyed "workspaceId/destinationId"; both parts exclude '/'.</summary>
public static class DestinationIdentity
{
    public static string Key(string workspaceId, string destinationId) => workspaceId + "/" + destinationId;

    public static (string WorkspaceId, string DestinationId) Split(string key)
    {
        var slash = key.IndexOf('/');
        if (slash <= 0) throw new ArgumentException($"Not a destination key: '{key}'.", nameof(key));
        return (key[..slash], key[(slash + 1)..]);
    }
}
