using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace BroadcastGrains.Bench.Load;

/// <summary>
/// Sends ingest requests over a fixed number of keep-alive connections. Closed loop: each connection sends
/// its next request as soon as the last one is answered (finds the peak). Open loop: requests start on a
/// fixed schedule and latency is measured from the scheduled start, so time spent waiting for a free
/// connection counts (no coordinated omission).
/// </summary>
public sealed class LoadGenerator : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly LoadOptions _options;
    private readonly RequestTemplate[] _templates;
    private readonly HttpClient _http;
    private readonly Uri[] _ingest;
    private long _nextGeneration;

    public LoadGenerator(LoadOptions options)
    {
        _options = options;
        _templates = TraceCorpus.Build(options.Templates, options.RecordsPerRequest, options.Seed);
        _ingest = (options.SpreadOver.Count > 0 ? options.SpreadOver : [options.Target]).Select(t => new Uri(t, "/v1/traces")).ToArray();
        _http = new HttpClient(new SocketsHttpHandler
        {
            // Per server: with SpreadOver, each target gets its own share of the connections.
            MaxConnectionsPerServer = options.Connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            Timeout = options.RequestTimeout,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.IngestToken);
        // Generation ids differ between runs too, in case a target ever de-duplicates across runs.
        _nextGeneration = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 100_000 % 10_000_000_000_000;
    }

    public double AverageRecordBytes
    {
        get
        {
            long bytes = 0, records = 0;
            foreach (var t in _templates)
            {
                bytes += t.Body.Length;
                records += t.Records;
            }
            return (double)bytes / records;
        }
    }

    public Task<LoadResult> RunClosedLoopAsync(TimeSpan duration, CancellationToken cancellationToken) =>
        RunAsync(null, duration, cancellationToken);

    public Task<LoadResult> RunOpenLoopAsync(double recordsPerSecond, TimeSpan duration, CancellationToken cancellationToken) =>
        RunAsync(recordsPerSecond, duration, cancellationToken);

    private async Task<LoadResult> RunAsync(double? recordsPerSecond, TimeSpan duration, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var schedule = recordsPerSecond is { } rate && rate > 0
            ? new Schedule(start, end, Stopwatch.Frequency * (double)_options.RecordsPerRequest / rate)
            : null;
        var workers = new Task<LoadResult>[_options.Connections];
        for (var i = 0; i < workers.Length; i++)
        {
            var worker = i;
            workers[i] = Task.Run(() => WorkerAsync(worker, end, schedule, cancellationToken), CancellationToken.None);
        }
        var results = await Task.WhenAll(workers);
        var total = new LoadResult { StartTimestamp = start, EndTimestamp = Stopwatch.GetTimestamp() };
        foreach (var r in results) total.Add(r);
        if (schedule is not null) total.Missed = schedule.Unstarted;
        return total;
    }

    private async Task<LoadResult> WorkerAsync(int worker, long end, Schedule? schedule, CancellationToken cancellationToken)
    {
        var result = new LoadResult();
        var random = new Random(_options.Seed * 7919 + worker);
        var body = new byte[_templates.Max(t => t.Body.Length)];
        var n = worker;
        var ingest = _ingest[worker % _ingest.Length];
        var requestWorkspace = 0;
        Func<int, int> workspaceOf = _options.Spread == Spread.Mixed
            ? _ => random.Next(_options.Workspaces)
            : _ => requestWorkspace;

        while (!cancellationToken.IsCancellationRequested)
        {
            long startedAt;
            if (schedule is null)
            {
                startedAt = Stopwatch.GetTimestamp();
                if (startedAt >= end) break;
            }
            else
            {
                // Behind schedule, the backlog is still sent (its waiting counts), but not forever.
                if (Stopwatch.GetTimestamp() > end + Stopwatch.Frequency * 10) break;
                if (!schedule.TryNext(out startedAt)) break;
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), startedAt);
                if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            if (schedule is not null) result.StartLag.Record((long)Math.Max(0, Stopwatch.GetElapsedTime(startedAt).TotalMicroseconds));
            var template = _templates[n++ % _templates.Length];
            requestWorkspace = random.Next(_options.Workspaces);
            var length = template.StampInto(body, workspaceOf, Interlocked.Add(ref _nextGeneration, template.Records) - template.Records);
            result.Requests++;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, ingest) { Content = new ByteArrayContent(body, 0, length) };
                request.Content.Headers.ContentType = Json;
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var done = Stopwatch.GetTimestamp();
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    result.Accepted++;
                    result.RecordsAccepted += template.Records;
                    result.Queued += ReadQueued(answer);
                    result.Latency.Record((long)Stopwatch.GetElapsedTime(startedAt, done).TotalMicroseconds);
                }
                else
                {
                    result.Failed++;
                    result.LastError = $"HTTP {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(answer.AsSpan(0, Math.Min(answer.Length, 300)))}";
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                result.Failed++;
                result.LastError = ex.GetType().Name + ": " + ex.Message;
                // A refused connection fails in microseconds; do not spin on it.
                await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
            }
        }
        return result;
    }

    private static long ReadQueued(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("queued"u8) && reader.Read())
                return reader.GetInt64();
        }
        return 0;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Start times on a fixed grid shared by all workers; each slot is taken once.</summary>
    private sealed class Schedule(long start, long end, double ticksPerRequest)
    {
        private long _next = -1;
        private long _taken;

        public long Unstarted => Math.Max(0, (long)((end - start) / ticksPerRequest) - Interlocked.Read(ref _taken));

        public bool TryNext(out long startAt)
        {
            var k = Interlocked.Increment(ref _next);
            startAt = start + (long)(k * ticksPerRequest);
            if (startAt >= end) return false;
            Interlocked.Increment(ref _taken);
            return true;
        }
    }
}
