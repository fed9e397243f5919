namespace BroadcastGrains.Traces;

public static class WorkspaceId
{
    /// <summary>^[A-Za-z0-9_-]{1,64}$ without a regex: this runs once per ingested record.</summary>
    public static bool IsValid(ReadOnlySpan<char> id)
    {
        if (id.Length is 0 or > 64) return false;
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-')) return false;
        }
        return true;
    }
}
