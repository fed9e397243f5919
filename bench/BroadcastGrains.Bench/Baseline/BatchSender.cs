using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using BroadcastGrains.PostHog.Delivery;

namespace BroadcastGrains.Bench.Baseline;

/// <summary>
/// A bounded queue of ready batches drained by a fixed number of send loops: at most that many /batch/
/// requests are in flight, over one shared keep-alive connection pool. When the queue is full the
/// producer's await is the back-pressure.
/// </summary>
public sealed class BatchSender : IAsyncDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private const int MaxAttempts = 3;

    private readonly Channel<ReadyBatch> _queue;
    private readonly HttpClient _http;
    private readonly Task[] _loops;
    private long _sentEvents;
    private long _sentBatches;
    private long _failedBatches;

    public BatchSender(BaselineOptions options)
    {
        _queue = Channel.CreateBounded<ReadyBatch>(new BoundedChannelOptions(options.ReadyQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        _loops = new Task[options.MaxConcurrentSends];
        for (var i = 0; i < _loops.Length; i++) _loops[i] = Task.Run(SendLoopAsync);
    }

    public HttpClient Http => _http;
    public long SentEvents => Interlocked.Read(ref _sentEvents);
    public long SentBatches => Interlocked.Read(ref _sentBatches);
    public long FailedBatches => Interlocked.Read(ref _failedBatches);

    public ValueTask EnqueueAsync(ReadyBatch batch, CancellationToken cancellationToken) => _queue.Writer.WriteAsync(batch, cancellationToken);

    private async Task SendLoopAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var batch)) await SendAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(ReadyBatch batch)
    {
        byte[] payload;
        try
        {
            payload = BatchPayload.BuildGzip(batch.Destination.ApiKey, DateTimeOffset.UtcNow, new ArraySegment<ReadOnlyMemory<byte>>(batch.Events, 0, batch.Count));
        }
        finally
        {
            // The events are in the payload now; their references must not keep the mapped bytes alive in the pool.
            Array.Clear(batch.Events, 0, batch.Count);
            ArrayPool<ReadOnlyMemory<byte>>.Shared.Return(batch.Events);
        }

        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            try
            {
                using var content = new ByteArrayContent(payload);
                content.Headers.ContentType = Json;
                content.Headers.ContentEncoding.Add("gzip");
                using var response = await _http.PostAsync(batch.Destination.BatchUri, content).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Add(ref _sentEvents, batch.Count);
                    Interlocked.Increment(ref _sentBatches);
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // retried below; the bench sink only fails when it is being shut down
            }
            await Task.Delay(100 * attempt).ConfigureAwait(false);
        }
        Interlocked.Increment(ref _failedBatches);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await Task.WhenAll(_loops).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // sends still in flight at shutdown are abandoned, as the process is ending anyway
        }
        _http.Dispose();
    }
}
