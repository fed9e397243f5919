using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using BroadcastGrains.PostHog.Connection;
using BroadcastGrains.PostHog.Delivery;
using BroadcastGrains.PostHog.Network;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace BroadcastGrains.PostHog;

/// <summary>The two calls we make to PostHog. Shared by all destinations of a silo (one connection pool).</summary>
public sealed class PostHogClient(HttpClient http) : IDisposable
{
    private static readonly ResiliencePropertyKey<TimeSpan> DeadlineKey = new("broadcastgrains.deadline");

    /// <summary>
    /// Per request: a deadline over the whole call, and inside it one quick retry when a pooled keep-alive
    /// connection turns out to be dead (the server closed it while idle). Everything else is retried by the
    /// destination's own backoff, which holds no thread while it waits.
    /// </summary>
    private static readonly ResiliencePipeline Pipeline = new ResiliencePipelineBuilder()
        .AddTimeout(new TimeoutStrategyOptions
        {
            TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(DeadlineKey, TestTimeout)),
        })
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 1,
            Delay = TimeSpan.FromMilliseconds(50),
            ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>(IsStaleConnection),
        })
        .Build();

    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The most of a PostHog response body we ever read (CONTRACT §8.2).</summary>
    public const int MaxResponseBodyBytes = 64 * 1024;

    /// <summary>
    /// The HttpClient for <see cref="PostHogClient"/> over <paramref name="handler"/>. Both calls decide on the
    /// status line and headers alone and never read the body themselves (the answer is complete once the headers
    /// are in, so a body that trickles cannot hold up a verdict): disposing the response lets the handler drain
    /// what is left in the background, so that the connection can be reused, but at most
    /// <see cref="MaxResponseBodyBytes"/> of it within its drain timeout (2 s); a longer or endless body closes the
    /// connection instead. PostHog's own answers are a few bytes of JSON and always fit.
    /// </summary>
    public static HttpClient CreateHttpClient(SocketsHttpHandler handler)
    {
        handler.MaxResponseDrainSize = MaxResponseBodyBytes;
        return new HttpClient(handler)
        {
            Timeout = Timeout.InfiniteTimeSpan, // each call sets its own deadline
            MaxResponseContentBufferSize = MaxResponseBodyBytes, // for any buffered read added later
        };
    }
    public const string TestDistinctId = "broadcastgrains-connection-test";
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>
    /// Capture accepts any well-formed key with 200 and silently drops events for unknown ones, so the only
    /// real check is the flags endpoint, which answers 401 for a key that belongs to no project.
    /// </summary>
    public async Task<ConnectionTestResult> TestConnectionAsync(string apiKey, string endpoint, CancellationToken cancellationToken)
    {
        var probe = JsonSerializer.SerializeToUtf8Bytes(new FlagsProbe(apiKey, TestDistinctId), PostHogJsonContext.Default.FlagsProbe);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(DeadlineKey, TestTimeout);
        try
        {
            var status = await Pipeline.ExecuteAsync(async (ctx, state) =>
            {
                using var body = new ByteArrayContent(state.probe);
                body.Headers.ContentType = Json;
                using var request = new HttpRequestMessage(HttpMethod.Post, state.endpoint + "/flags/?v=2") { Content = body };
                using var response = await state.http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ctx.CancellationToken).ConfigureAwait(false);
                return ((int)response.StatusCode, response.ReasonPhrase);
            }, context, (http, endpoint, probe)).ConfigureAwait(false);
            return status.Item1 switch
            {
                200 => ConnectionTestResult.Passed,
                401 => ConnectionTestResult.Failed("PostHog rejected the project API key (wrong key or wrong region)"),
                var code => ConnectionTestResult.Failed($"PostHog answered HTTP {code} {status.ReasonPhrase}".TrimEnd()),
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ConnectionTestResult.Failed(Describe(ex, TestTimeout));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public async Task<SendOutcome> SendBatchAsync(string endpoint, ReadOnlyMemory<byte> gzippedJson, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(DeadlineKey, timeout);
        try
        {
            return await Pipeline.ExecuteAsync(async (ctx, state) =>
            {
                using var body = new ReadOnlyMemoryContent(state.gzippedJson);
                body.Headers.ContentType = Json;
                body.Headers.ContentEncoding.Add("gzip");
                using var request = new HttpRequestMessage(HttpMethod.Post, state.endpoint + "/batch/") { Content = body };
                using var response = await state.http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ctx.CancellationToken).ConfigureAwait(false);
                return new SendOutcome((int)response.StatusCode, RetryAfter(response), null);
            }, context, (http, endpoint, gzippedJson)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Past the filter, a cancellation is our own deadline's.
            return new SendOutcome(null, null, Describe(ex, timeout), TimedOut: ex is TimeoutRejectedException or TimeoutException or OperationCanceledException);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static bool IsStaleConnection(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.ResponseEnded
        || ex.InnerException is IOException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset } };

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header is null) return null;
        if (header.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>Names the cause the way a user fixing their config needs to read it.</summary>
    public static string Describe(Exception ex, TimeSpan timeout)
    {
        // Our own deadline shows up as a cancelled socket deep inside; say what happened, not how it surfaced.
        if (ex is TimeoutRejectedException or TimeoutException or OperationCanceledException)
            return $"timed out after {timeout.TotalSeconds:0.#} s";
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case BlockedAddressException blocked:
                    return blocked.Message;
                case AuthenticationException auth:
                    return $"TLS handshake failed: {auth.Message}";
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return "connection refused";
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return "the endpoint's host name could not be resolved";
                case SocketException { SocketErrorCode: SocketError.ConnectionReset }:
                    return "connection reset by the endpoint";
                case SocketException socket:
                    return $"connection failed: {socket.SocketErrorCode}";
                case HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } tls:
                    return $"TLS handshake failed: {tls.Message}";
            }
        }
        return ex is HttpRequestException http ? http.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "the endpoint's host name could not be resolved",
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.ResponseEnded => "the endpoint closed the connection without answering",
            HttpRequestError.InvalidResponse => "the endpoint did not answer with valid HTTP",
            HttpRequestError.ProxyTunnelError or HttpRequestError.UserAuthenticationError => http.Message,
            _ => http.InnerException?.Message ?? http.Message,
        } : ex.Message;
    }

    /// <summary>The connection pool goes with the client: the container disposes it when the silo is gone.</summary>
    public void Dispose() => http.Dispose();
}
