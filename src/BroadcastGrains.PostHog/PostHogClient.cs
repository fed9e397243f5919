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

namespace BroadcastGrains.PostHog;

/// <summary>The two calls we make to PostHog. Shared by all destinations of a silo (one connection pool).</summary>
public sealed class PostHogClient(HttpClient http)
{
    /// <summary>
    /// Per request: one quick retry when a pooled keep-alive connection turns out to be dead (the server closed
    /// it while idle). Everything else is retried by the destination's own backoff, which holds no thread.
    /// </summary>
    private static readonly ResiliencePipeline StaleConnectionRetry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 1,
            Delay = TimeSpan.FromMilliseconds(50),
            ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>(IsStaleConnection),
        })
        .Build();

    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);
    public const string TestDistinctId = "broadcastgrains-connection-test";
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>
    /// Capture accepts any well-formed key with 200 and silently drops events for unknown ones, so the only
    /// real check is the flags endpoint, which answers 401 for a key that belongs to no project.
    /// </summary>
    public async Task<ConnectionTestResult> TestConnectionAsync(string apiKey, string endpoint, CancellationToken cancellationToken)
    {
        using var body = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(
            new FlagsProbe(apiKey, TestDistinctId), PostHogJsonContext.Default.FlagsProbe));
        body.Headers.ContentType = Json;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TestTimeout);
        try
        {
            using var response = await http.PostAsync(endpoint + "/flags/?v=2", body, timeout.Token).ConfigureAwait(false);
            return (int)response.StatusCode switch
            {
                200 => ConnectionTestResult.Passed,
                401 => ConnectionTestResult.Failed("PostHog rejected the project API key (wrong key or wrong region)"),
                var status => ConnectionTestResult.Failed($"PostHog answered HTTP {status} {response.ReasonPhrase}".TrimEnd()),
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ConnectionTestResult.Failed(Describe(ex, TestTimeout));
        }
    }

    public async Task<SendOutcome> SendBatchAsync(string endpoint, ReadOnlyMemory<byte> gzippedJson, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await StaleConnectionRetry.ExecuteAsync(async token =>
            {
                using var body = new ReadOnlyMemoryContent(gzippedJson);
                body.Headers.ContentType = Json;
                body.Headers.ContentEncoding.Add("gzip");
                using var response = await http.PostAsync(endpoint + "/batch/", body, token).ConfigureAwait(false);
                return new SendOutcome((int)response.StatusCode, RetryAfter(response), null);
            }, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new SendOutcome(null, null, Describe(ex, timeout));
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
        if (ex is OperationCanceledException or TimeoutException)
            return $"timed out after {timeout.TotalSeconds:0.#} s";
        return ex.Message;
    }
}
