using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace BroadcastGrains.Ingestion;

/// <summary>
/// The second, slow walk over a body that holds text or a number PostHog cannot take: it tracks where it is
/// (<c>[3].request.trace.feature</c>, <c>request.messages[0].content</c>) so each error can name its field. The
/// fast pass only learns <em>that</em> something is wrong; paths are built only here, on the error path.
/// </summary>
internal static class BadValueLocator
{
    private const string NotUtf8 = "is not valid UTF-8 text";
    private const string OutOfRange = "is a number out of range (beyond what a double can hold)";

    /// <summary>
    /// Adds an error for every bad string, property name and number, skipping fields that already have one,
    /// up to the reporting limit. Returns how many it added. A JSON syntax error ends the walk with a
    /// <c>body</c> error, as the fast pass would have reported it.
    /// </summary>
    public static int Locate(ReadOnlySpan<byte> json, JsonReaderOptions options, TraceBatch batch)
    {
        var before = batch.Errors.Count;
        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(json, isFinalBlock: true, new JsonReaderState(options));
        try
        {
            while (batch.Errors.Count < TraceLimits.MaxReportedErrors && reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                    {
                        var problem = TextProblem(ref reader);
                        var frame = frames[^1];
                        frame.Name = problem is null ? reader.GetString()! : Encoding.UTF8.GetString(reader.ValueSpan);
                        frames[^1] = frame;
                        if (problem is not null) Add(batch, Path(frames), "is a property name that " + problem);
                        break;
                    }
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        NextIndex(frames);
                        frames.Add(new Frame { IsArray = reader.TokenType == JsonTokenType.StartArray, Index = -1 });
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    case JsonTokenType.String:
                    {
                        NextIndex(frames);
                        if (TextProblem(ref reader) is { } problem) Add(batch, Path(frames), problem);
                        break;
                    }
                    case JsonTokenType.Number:
                        NextIndex(frames);
                        if (JsonTextChecks.IsNumberOutOfRange(ref reader)) Add(batch, Path(frames), OutOfRange);
                        break;
                    default:
                        NextIndex(frames);
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            batch.Errors.Add(TraceBatchParser.BodyError(ex));
        }
        return batch.Errors.Count - before;
    }

    /// <summary>Why the current string or property name cannot be sent, or null when it can.</summary>
    private static string? TextProblem(ref Utf8JsonReader reader)
    {
        var span = reader.ValueSpan;
        if (!Utf8.IsValid(span)) return NotUtf8;
        if (!reader.ValueIsEscaped) return null;
        var at = JsonTextChecks.IndexOfLoneSurrogateEscape(span);
        if (at < 0) return null;
        var escape = Encoding.ASCII.GetString(span.Slice(at, 6));
        return $"holds an unpaired surrogate escape ({escape}): text cut inside a character such as an emoji must be cut before it";
    }

    private static void Add(TraceBatch batch, string field, string message)
    {
        for (var i = 0; i < batch.Errors.Count; i++)
        {
            if (batch.Errors[i].Field == field) return;
        }
        batch.Errors.Add(new FieldError(field, message));
    }

    /// <summary>A value inside an array takes the next index; values inside objects are named by their property.</summary>
    private static void NextIndex(List<Frame> frames)
    {
        if (frames.Count == 0 || !frames[^1].IsArray) return;
        var frame = frames[^1];
        frame.Index++;
        frames[^1] = frame;
    }

    /// <summary><c>[3].request.trace.feature</c> for the value the walk is on; <c>body</c> at the top.</summary>
    private static string Path(List<Frame> frames)
    {
        var path = new StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.IsArray) path.Append('[').Append(frame.Index).Append(']');
            else
            {
                if (path.Length > 0) path.Append('.');
                path.Append(frame.Name);
            }
        }
        return path.Length == 0 ? "body" : path.ToString();
    }

    private struct Frame
    {
        public bool IsArray;
        public int Index;
        public string? Name;
    }
}
