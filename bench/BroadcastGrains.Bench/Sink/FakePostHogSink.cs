using System.Buffers;
using System.IO.Compression;
using BroadcastGrains.Bench.Common;
using BroadcastGrains.Testing;

namespace BroadcastGrains.Bench.Sink;

/// <summary>
/// A PostHog stand-in on 127.0.0.1 that answers as fast as it can: <c>/flags/</c> passes any <c>phc_</c> key,
/// <c>/batch/</c> is gunzipped and its events counted per key. It shares the CPU with what it measures, so it
/// does the least work that still proves every event arrived whole.
/// </summary>
public sealed class FakePostHogSink : IAsyncDisposable
{
    private const int MaxBodyBytes = 32 * 1024 * 1024;
    private static readonly byte[] FlagsOk = """{"featureFlags":{},"errorsWhileComputingFlags":false}"""u8.ToArray();
    private static readonly byte[] BatchOk = """{"status":1}"""u8.ToArray();

    private readonly WebApplication _app;

    private FakePostHogSink(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The base URL to configure as a destination's endpoint.</summary>
    public Uri Endpoint { get; }
    public SinkCounters Counters { get; } = new();

    public static async Task<FakePostHogSink> StartAsync(int port = 0)
    {
        var app = KestrelApp.CreateBuilder(port).Build();
        FakePostHogSink? sink = null;
        app.Run(context => sink!.HandleAsync(context));
        await app.StartAsync();
        sink = new FakePostHogSink(app, Loopback.BoundAddress(app));
        return sink;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.StatusCode = 405;
            return;
        }
        if (request.Path.Equals("/batch/", StringComparison.Ordinal) || request.Path.Equals("/batch", StringComparison.Ordinal))
            await BatchAsync(context);
        else if (request.Path.Equals("/flags/", StringComparison.Ordinal) || request.Path.Equals("/flags", StringComparison.Ordinal))
            await FlagsAsync(context);
        else
            context.Response.StatusCode = 404;
    }

    private async Task FlagsAsync(HttpContext context)
    {
        using var body = await BroadcastGrains.Ingestion.PooledBody.ReadAsync(context.Request, 64 * 1024, context.RequestAborted);
        var key = body.TooLarge ? null : BatchBodyReader.ReadFlagsKey(body.Span);
        Counters.RecordFlagCheck();
        if (key is null || !key.StartsWith("phc_", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 401;
            return;
        }
        await Reply(context, FlagsOk);
    }

    private async Task BatchAsync(HttpContext context)
    {
        using var body = await BroadcastGrains.Ingestion.PooledBody.ReadAsync(context.Request, MaxBodyBytes, context.RequestAborted);
        if (body.TooLarge)
        {
            Counters.RecordBadRequest();
            context.Response.StatusCode = 413;
            return;
        }
        var gzipped = string.Equals(context.Request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase);
        var json = gzipped ? Gunzip(body.Memory) : default;
        try
        {
            if (!gzipped || json.Buffer is null || !Count(json.Buffer.AsSpan(0, json.Length)))
            {
                Counters.RecordBadRequest();
                context.Response.StatusCode = 400;
                return;
            }
        }
        finally
        {
            if (json.Buffer is not null) ArrayPool<byte>.Shared.Return(json.Buffer);
        }
        await Reply(context, BatchOk);
    }

    private bool Count(ReadOnlySpan<byte> json)
    {
        Span<char> key = stackalloc char[BatchBodyReader.MaxKeyChars];
        if (!BatchBodyReader.TryRead(json, key, out var keyLength, out var events)) return false;
        Counters.RecordBatch(key[..keyLength], events, json.Length);
        return true;
    }

    private static (byte[]? Buffer, int Length) Gunzip(ReadOnlyMemory<byte> compressed)
    {
        // JSON compresses five- to tenfold; starting there avoids most regrowth.
        var output = ArrayPool<byte>.Shared.Rent(Math.Max(4096, compressed.Length * 8));
        var length = 0;
        try
        {
            using var input = new ReadOnlyMemoryStream(compressed);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            while (true)
            {
                if (length == output.Length)
                {
                    if (output.Length >= MaxBodyBytes * 4) throw new InvalidDataException("decompressed body too large");
                    var bigger = ArrayPool<byte>.Shared.Rent(output.Length * 2);
                    output.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(output);
                    output = bigger;
                }
                var read = gzip.Read(output, length, output.Length - length);
                if (read == 0) break;
                length += read;
            }
            return (output, length);
        }
        catch (InvalidDataException)
        {
            ArrayPool<byte>.Shared.Return(output);
            return (null, 0);
        }
    }

    private static Task Reply(HttpContext context, byte[] body)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
