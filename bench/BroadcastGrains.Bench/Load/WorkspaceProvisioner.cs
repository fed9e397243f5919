using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace BroadcastGrains.Bench.Load;

/// <summary>
/// Configures workspaces the way a tenant does, through the HTTP API: broadcast on, then one PostHog
/// destination pointing at the sink (which also runs Test Connection against the sink's /flags/).
/// </summary>
public sealed class WorkspaceProvisioner(Uri target, string adminToken, Uri sinkEndpoint, int concurrency) : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http = CreateClient(target, adminToken, concurrency);

    private static HttpClient CreateClient(Uri target, string adminToken, int concurrency)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseProxy = false, UseCookies = false })
        {
            BaseAddress = target,
            Timeout = TimeSpan.FromSeconds(60),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        return http;
    }

    /// <summary>Configures workspaces <paramref name="from"/> .. <paramref name="to"/>-1; throws if any cannot be.</summary>
    public async Task ProvisionAsync(int from, int to, TimeSpan deadline, Action<string>? progress, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        var next = from - 1;
        var done = 0;
        var started = Stopwatch.GetTimestamp();
        var lastReport = started;
        var workers = new Task[concurrency];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < to)
                {
                    await ConfigureAsync(i, timeout.Token);
                    var count = Interlocked.Increment(ref done);
                    var now = Stopwatch.GetTimestamp();
                    var last = Interlocked.Read(ref lastReport);
                    if (progress is not null && Stopwatch.GetElapsedTime(last, now) > TimeSpan.FromSeconds(10)
                        && Interlocked.CompareExchange(ref lastReport, now, last) == last)
                    {
                        var seconds = Stopwatch.GetElapsedTime(started, now).TotalSeconds;
                        progress($"  configured {count}/{to - from} workspaces ({count / seconds:F0}/s)");
                    }
                }
            }, CancellationToken.None);
        }
        await Task.WhenAll(workers);
    }

    private async Task ConfigureAsync(int index, CancellationToken cancellationToken)
    {
        var workspace = BenchNames.Workspace(index);
        await SendWithRetryAsync(HttpMethod.Put, $"/v1/workspaces/{workspace}/broadcast", """{"enabled": true}""", HttpStatusCode.OK, cancellationToken);
        var destination = $$"""
            {"type": "posthog", "name": "Bench sink",
             "config": {"api_key": "{{BenchNames.ApiKey(index)}}", "endpoint": "{{sinkEndpoint.GetLeftPart(UriPartial.Authority)}}"},
             "enabled": true, "privacy_mode": false, "sampling_rate": 1.0}
            """;
        await SendWithRetryAsync(HttpMethod.Post, $"/v1/workspaces/{workspace}/destinations", destination, HttpStatusCode.Created, cancellationToken);
    }

    private async Task SendWithRetryAsync(HttpMethod method, string path, string body, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            string problem;
            try
            {
                using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8) };
                request.Content.Headers.ContentType = Json;
                using var response = await _http.SendAsync(request, cancellationToken);
                if (response.StatusCode == expected) return;
                problem = $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
                // A 4xx other than a conflict will not heal by retrying.
                if ((int)response.StatusCode is >= 400 and < 500 and not 408 and not 409 and not 429) throw new InvalidOperationException($"{method} {path}: {problem}");
            }
            catch (HttpRequestException ex)
            {
                problem = ex.Message;
            }
            if (attempt >= 5) throw new InvalidOperationException($"{method} {path} failed {attempt} times; last: {problem}");
            await Task.Delay(200 * attempt, cancellationToken);
        }
    }

    public void Dispose() => _http.Dispose();
}
