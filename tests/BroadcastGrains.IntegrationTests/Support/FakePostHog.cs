using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BroadcastGrains.IntegrationTests.Support;

/// <summary>
/// A real HTTP server on 127.0.0.1 standing in for PostHog: /flags/ checks keys, /batch/ records what it
/// receives (gunzipped), and either can be told to fail.
/// </summary>
public sealed class FakePostHog : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, bool> _validKeys = new();
    private readonly ConcurrentQueue<ReceivedBatch> _batches = new();

    /// <summary>Decides the answer to a /batch/ request; null means "accept it".</summary>
    public Func<ReceivedBatch, FakeAnswer?>? BatchFault { get; set; }

    /// <summary>Decides the answer to a /flags/ request; null means "200 when the key is known, else 401".</summary>
    public Func<string, FakeAnswer?>? FlagsFault { get; set; }

    public string Endpoint { get; private set; } = "";
    public int FlagsRequests => _flagsRequests;
    private int _flagsRequests;

    private FakePostHog(WebApplication app) => _app = app;

    public static async Task<FakePostHog> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakePostHog(app);
        app.MapPost("/flags/", fake.Flags);
        app.MapPost("/batch/", fake.Batch);
        await app.StartAsync();
        fake.Endpoint = Loopback.BoundEndpoint(app);
        return fake;
    }

    public void AcceptKey(string key) => _validKeys[key] = true;

    public IReadOnlyList<ReceivedBatch> Batches => _batches.ToArray();

    /// <summary>Events accepted (answered 2xx) for one key, in arrival order.</summary>
    public IReadOnlyList<JsonObject> EventsFor(string apiKey) =>
        _batches.Where(b => b.ApiKey == apiKey && b.Accepted).SelectMany(b => b.Events).ToList();

    private async Task<IResult> Flags(HttpRequest request)
    {
        Interlocked.Increment(ref _flagsRequests);
        var body = await JsonNode.ParseAsync(request.Body);
        var key = body?["api_key"]?.GetValue<string>() ?? "";
        if (FlagsFault?.Invoke(key) is { } fault) return await fault.ExecuteAsync();
        return _validKeys.ContainsKey(key)
            ? Results.Json(new { flags = new { }, errorsWhileComputingFlags = false })
            : Results.Json(new { type = "authentication_error", code = "invalid_api_key" }, statusCode: 401);
    }

    private async Task<IResult> Batch(HttpRequest request)
    {
        Stream body = request.Body;
        var gzipped = request.Headers.ContentEncoding.ToString() == "gzip";
        if (gzipped) body = new GZipStream(body, CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer);
        var root = JsonNode.Parse(buffer.ToArray())!.AsObject();
        var batch = new ReceivedBatch(
            root["api_key"]!.GetValue<string>(),
            root["batch"]!.AsArray().Select(e => e!.AsObject()).ToList(),
            root,
            gzipped,
            (int)buffer.Length);
        var fault = BatchFault?.Invoke(batch);
        batch.Accepted = fault is null || fault.Status is >= 200 and < 300;
        _batches.Enqueue(batch);
        return fault is null ? Results.Json(new { status = 1 }) : await fault.ExecuteAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record ReceivedBatch(string ApiKey, IReadOnlyList<JsonObject> Events, JsonObject Envelope, bool Gzipped, int UncompressedBytes)
{
    public bool Accepted { get; set; }
}

/// <summary>A programmed answer: a status, optionally Retry-After, optionally a hang (for a time or until released).</summary>
public sealed record FakeAnswer(int Status, TimeSpan? RetryAfter = null, TimeSpan? Delay = null, Task? Hold = null)
{
    public async Task<IResult> ExecuteAsync()
    {
        if (Delay is { } delay) await Task.Delay(delay);
        if (Hold is { } hold) await hold;
        return new Answer(this);
    }

    private sealed class Answer(FakeAnswer a) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = a.Status;
            if (a.RetryAfter is { } after) context.Response.Headers.RetryAfter = ((int)after.TotalSeconds).ToString();
            return context.Response.WriteAsJsonAsync(new { error = "fake" });
        }
    }
}
