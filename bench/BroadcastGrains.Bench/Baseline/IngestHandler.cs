using System.Buffers.Text;
using BroadcastGrains.Bench.Common;
using BroadcastGrains.Ingestion;
using BroadcastGrains.PostHog.Mapping;
using BroadcastGrains.Traces;

namespace BroadcastGrains.Bench.Baseline;

/// <summary>
/// <c>POST /v1/traces</c> at its floor cost: pooled body, the project's parser and mapper, an append per
/// event, a 202 written straight to the response pipe. Nothing here allocates per record beyond what
/// parsing and mapping produce.
/// </summary>
public sealed class IngestHandler(DestinationRegistry registry, BatchSender sender, BearerCheck auth)
{
    private long _accepted;
    private long _queued;
    private long _tooLarge;

    public long Accepted => Interlocked.Read(ref _accepted);
    public long Queued => Interlocked.Read(ref _queued);
    public long TooLarge => Interlocked.Read(ref _tooLarge);

    public async Task HandleAsync(HttpContext context)
    {
        if (!auth.Passes(context.Request))
        {
            context.Response.StatusCode = 401;
            return;
        }

        TraceBatch batch;
        using (var body = await PooledBody.ReadAsync(context.Request, TraceLimits.MaxBodyBytes, context.RequestAborted))
        {
            if (body.TooLarge)
            {
                context.Response.StatusCode = 413;
                return;
            }
            // Records own copies of what they keep, so the body goes back to the pool right after parsing.
            batch = TraceBatchParser.Parse(body.Span, DateTimeOffset.UtcNow);
        }
        if (batch.TooManyRecords)
        {
            context.Response.StatusCode = 413;
            return;
        }
        if (!batch.IsValid)
        {
            context.Response.StatusCode = 400;
            return;
        }

        var now = Environment.TickCount64;
        var queued = 0;
        var records = batch.Records;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (!registry.TryGet(record.WorkspaceId, out var workspace) || !workspace.BroadcastEnabled) continue;
            var destinations = workspace.Destinations;
            for (var d = 0; d < destinations.Length; d++)
            {
                var destination = destinations[d];
                if (!SessionSampler.Keep(destination.Id, record.SessionId, record.GenerationId, destination.SamplingRate)) continue;
                var mapped = PostHogEventMapper.Map(record, destination.Mapping);
                if (mapped.Json is null)
                {
                    Interlocked.Increment(ref _tooLarge);
                    continue;
                }
                queued++;
                if (destination.Append(mapped.Json, now) is { } ready)
                    await sender.EnqueueAsync(ready, context.RequestAborted);
            }
        }
        Interlocked.Add(ref _accepted, records.Count);
        Interlocked.Add(ref _queued, queued);
        await WriteAcceptedAsync(context.Response, records.Count, queued);
    }

    private static async Task WriteAcceptedAsync(HttpResponse response, int accepted, int queued)
    {
        response.StatusCode = 202;
        response.ContentType = "application/json";
        var span = response.BodyWriter.GetSpan(64);
        var n = 0;
        "{\"accepted\":"u8.CopyTo(span);
        n += 12;
        Utf8Formatter.TryFormat(accepted, span[n..], out var written);
        n += written;
        ",\"queued\":"u8.CopyTo(span[n..]);
        n += 10;
        Utf8Formatter.TryFormat(queued, span[n..], out written);
        n += written;
        span[n++] = (byte)'}';
        response.ContentLength = n;
        response.BodyWriter.Advance(n);
        await response.BodyWriter.FlushAsync();
    }
}
