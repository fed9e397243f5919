namespace BroadcastGrains.Bench.Load;

/// <summary>
/// One pre-built ingest body (a JSON array of records) and where each record's workspace and generation
/// digits sit, so a request is a copy plus a few digit stamps instead of a fresh serialisation.
/// </summary>
public sealed class RequestTemplate(byte[] body, int[] workspaceDigits, int[] generationDigits)
{
    public byte[] Body { get; } = body;
    public int Records => workspaceDigits.Length;

    /// <summary>Copies the body into <paramref name="destination"/> with fresh workspaces and unique generation ids.</summary>
    /// <param name="workspaceOf">The workspace index of record <c>i</c>.</param>
    public int StampInto(byte[] destination, Func<int, int> workspaceOf, long firstGeneration)
    {
        Body.CopyTo(destination, 0);
        var span = destination.AsSpan();
        for (var i = 0; i < workspaceDigits.Length; i++)
        {
            BenchNames.StampDigits(span.Slice(workspaceDigits[i], BenchNames.WorkspaceDigits), workspaceOf(i));
            BenchNames.StampDigits(span.Slice(generationDigits[i], BenchNames.GenerationDigits), firstGeneration + i);
        }
        return Body.Length;
    }
}
