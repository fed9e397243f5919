using System.Buffers;
using System.IO.Compression;
using System.Text.Json;

namespace BroadcastGrains.PostHog.Delivery;

/// <summary>
/// Builds the gzip body of one /batch/ request from events that were mapped to JSON when they were
/// accepted: the events are spliced in as bytes, never parsed or serialised again.
/// </summary>
public static class BatchPayload
{
    /// <summary>Bytes of the envelope around the events, for sizing batches against the request cap.</summary>
    public const int EnvelopeAllowance = 512;

    public static byte[] BuildGzip(string apiKey, DateTimeOffset sentAt, IReadOnlyList<ReadOnlyMemory<byte>> events)
    {
        var head = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(head))
        {
            writer.WriteStartObject();
            writer.WriteString("api_key"u8, apiKey);
            writer.WriteBoolean("historical_migration"u8, false);
            writer.WriteString("sent_at"u8, sentAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            writer.WritePropertyName("batch"u8);
            writer.WriteStartArray();
            writer.Flush();
        }

        var total = 0;
        for (var i = 0; i < events.Count; i++) total += events[i].Length + 1;
        // Fast gzip shrinks JSON four- to eight-fold; start the buffer there to avoid regrowth.
        using var output = new MemoryStream(Math.Max(1024, total / 4));
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(head.WrittenSpan);
            for (var i = 0; i < events.Count; i++)
            {
                if (i > 0) gzip.Write(","u8);
                gzip.Write(events[i].Span);
            }
            gzip.Write("]}"u8);
        }
        return output.ToArray();
    }
}
