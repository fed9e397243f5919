using System.Runtime.InteropServices;
using BroadcastGrains.Bench.Common;
using BroadcastGrains.Testing;

namespace BroadcastGrains.Bench.Baseline;

/// <summary>
/// The bare floor: the same <c>POST /v1/traces</c> as BroadcastGrains, doing the same parse + map + batch +
/// gzip + POST, with no Orleans, no storage and no framework between Kestrel and the handler.
/// </summary>
public sealed class BaselineServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly BatchSender _sender;
    private readonly LingerFlusher _flusher;
    private readonly IngestHandler _ingest;

    private BaselineServer(WebApplication app, BatchSender sender, LingerFlusher flusher, IngestHandler ingest, Uri address)
    {
        _app = app;
        _sender = sender;
        _flusher = flusher;
        _ingest = ingest;
        Address = address;
    }

    public Uri Address { get; }
    public long SentEvents => _sender.SentEvents;
    public long FailedBatches => _sender.FailedBatches;
    public long Queued => _ingest.Queued;

    public static async Task<BaselineServer> StartAsync(int port, BaselineOptions options)
    {
        if (options.MaxBatchEvents < 2) throw new ArgumentOutOfRangeException(nameof(options), "MaxBatchEvents must be at least 2");
        var registry = new DestinationRegistry();
        var sender = new BatchSender(options);
        var flusher = new LingerFlusher(registry, sender, options.Linger);
        var ingest = new IngestHandler(registry, sender, new BearerCheck(options.IngestToken));
        var admin = new AdminHandler(registry, sender, options);

        var app = KestrelApp.CreateBuilder(port).Build();
        app.Run(context =>
        {
            var path = context.Request.Path.Value ?? "";
            if (path == "/v1/traces" && HttpMethods.IsPost(context.Request.Method)) return ingest.HandleAsync(context);
            if (path.StartsWith("/v1/workspaces/", StringComparison.Ordinal)) return admin.HandleAsync(context, path["/v1/workspaces/".Length..]);
            context.Response.StatusCode = path is "/healthz" or "/readyz" ? 200 : 404;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        return new BaselineServer(app, sender, flusher, ingest, Loopback.BoundAddress(app));
    }

    /// <summary>The <c>baseline</c> command: serve until SIGTERM or SIGINT.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var port = 0;
        string? ingestToken = null, adminToken = null;
        var sends = 64;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--port": port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--ingest-token": ingestToken = args[i + 1]; break;
                case "--admin-token": adminToken = args[i + 1]; break;
                case "--max-concurrent-sends": sends = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        if (ingestToken is null || adminToken is null) throw new ArgumentException("--ingest-token and --admin-token are required");

        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        await using var server = await StartAsync(port, new BaselineOptions { IngestToken = ingestToken, AdminToken = adminToken, MaxConcurrentSends = sends });
        Console.WriteLine($"baseline listening on {server.Address}");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        Console.WriteLine($"baseline stopping: {server.Queued} events queued, {server.SentEvents} sent, {server.FailedBatches} batches failed");
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _flusher.DisposeAsync();
        await _sender.DisposeAsync();
        await _app.DisposeAsync();
    }
}
