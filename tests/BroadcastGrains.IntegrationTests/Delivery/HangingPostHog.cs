using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BroadcastGrains.IntegrationTests.Delivery;

/// <summary>
/// A PostHog on 127.0.0.1 whose region stalls: /flags/ answers 200 (so destinations can be created), /batch/
/// requests are accepted and read whole, and then never answered until the client gives up on them.
/// </summary>
public sealed class HangingPostHog : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _held;
    private int _received;

    private HangingPostHog(WebApplication app) => _app = app;

    public string Endpoint { get; private set; } = "";
    /// <summary>/batch/ requests read whole so far.</summary>
    public int Received => Volatile.Read(ref _received);
    /// <summary>/batch/ requests held open right now.</summary>
    public int Held => Volatile.Read(ref _held);

    public static async Task<HangingPostHog> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, 0);
            k.Limits.MaxConcurrentConnections = null; // hundreds of held requests are the point
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new HangingPostHog(app);
        app.MapPost("/flags/", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            await context.Response.WriteAsJsonAsync(new { flags = new { } }, context.RequestAborted);
        });
        app.MapPost("/batch/", fake.Batch);
        await app.StartAsync();
        fake.Endpoint = Loopback.BoundEndpoint(app);
        return fake;
    }

    private async Task Batch(HttpContext context)
    {
        await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
        Interlocked.Increment(ref _received);
        Interlocked.Increment(ref _held);
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _held);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A graceful stop would wait its whole timeout for the held requests: abort them at once.
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        try
        {
            await _app.StopAsync(now.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await _app.DisposeAsync();
    }
}
