using System.Text.Json;

namespace BroadcastGrains.Ingestion;

/// <summary>
/// Parses and validates an ingest body (one record or an array of them) in a single forward pass over the
/// UTF-8 bytes. Nested parts that are only forwarded (messages, choices, tools, trace) are sliced out raw
/// instead of being materialised, which keeps the per-record cost close to one scan of its bytes.
/// </summary>
/// <remarks>
/// Everything in a record must be sendable, including what is only forwarded or skipped: the reader itself
/// accepts invalid UTF-8, unpaired surrogate escapes and <c>1e400</c>, which <c>GetString</c> or PostHog then
/// refuse. Text is checked once for the whole body (<see cref="JsonTextChecks.IsSoundText"/>); numbers are
/// checked as the pass meets them (<see cref="FieldValueReader.Skip"/> looks at every token). Either finding
/// sends the body through <see cref="BadValueLocator"/>, which names the fields. Parse never throws. One record
/// is read by <see cref="TraceRecordReader"/>.
/// </remarks>
public static class TraceBatchParser
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 256,
    };

    public static TraceBatch Parse(ReadOnlySpan<byte> json, DateTimeOffset receivedAt, int maxRecords = TraceLimits.MaxRecordsPerRequest)
    {
        var batch = new TraceBatch();
        if (!JsonTextChecks.IsSoundText(json))
        {
            // GetString would throw on such text, so the record pass does not run; the errors name the strings.
            if (BadValueLocator.Locate(json, ReaderOptions, batch) == 0)
                batch.Errors.Add(new FieldError("body", "is not valid UTF-8 JSON text"));
            return Finish(batch);
        }
        var reader = new Utf8JsonReader(json, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        try
        {
            if (!reader.Read())
            {
                batch.Errors.Add(new FieldError("body", "must be a trace record object or an array of them"));
                return batch;
            }
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                TraceRecordReader.ParseRecord(json, ref reader, "", receivedAt, batch);
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (index >= maxRecords)
                    {
                        batch.TooManyRecords = true;
                        batch.Records.Clear();
                        return batch;
                    }
                    var prefix = "[" + index + "]";
                    if (reader.TokenType == JsonTokenType.StartObject)
                        TraceRecordReader.ParseRecord(json, ref reader, prefix + ".", receivedAt, batch);
                    else
                    {
                        batch.Errors.Add(new FieldError(prefix, "must be a trace record object"));
                        FieldValueReader.Skip(ref reader, batch);
                    }
                    index++;
                }
            }
            else
            {
                batch.Errors.Add(new FieldError("body", "must be a trace record object or an array of them"));
                return batch;
            }
            if (reader.Read())
                batch.Errors.Add(new FieldError("body", "has content after the end of the JSON value"));
            else if (batch.HasNumberOutOfRange && BadValueLocator.Locate(json, ReaderOptions, batch) == 0 && batch.Errors.Count == 0)
                batch.Errors.Add(new FieldError("body", "holds a number out of range"));
        }
        catch (JsonException ex)
        {
            batch.Errors.Add(BodyError(ex));
        }
        return Finish(batch);
    }

    internal static FieldError BodyError(JsonException ex) =>
        new("body", $"is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}): {ex.Message}");

    private static TraceBatch Finish(TraceBatch batch)
    {
        // Records parsed before a bad one must not escape: the batch is records or errors, never both.
        if (batch.Errors.Count > 0) batch.Records.Clear();
        if (batch.Errors.Count > TraceLimits.MaxReportedErrors)
            batch.Errors.RemoveRange(TraceLimits.MaxReportedErrors, batch.Errors.Count - TraceLimits.MaxReportedErrors);
        return batch;
    }
}
