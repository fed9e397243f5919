using System.Net;
using System.Net.Sockets;
using System.Text;
using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Api;

/// <summary>
/// Clients that stall or trickle are cut off (CONTRACT §8.1). Raw TCP, so the test controls every byte and its
/// pace; the host's limits are shortened so that each case ends within seconds.
/// </summary>
public sealed class SlowBodyTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Ingest:MinBodyBytesPerSecond"] = "1000",
            ["Broadcast:Ingest:MinBodyRateGracePeriod"] = "00:00:01.500",
            ["Broadcast:Ingest:RequestHeadersTimeout"] = "00:00:02",
            ["Broadcast:Ingest:BodyReadTimeout"] = "00:00:03",
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private async Task<Socket> Connect()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, _host.BaseAddress.Port);
        return socket;
    }

    private static string Headers(long contentLength) =>
        "POST /v1/traces HTTP/1.1\r\n" +
        $"Host: 127.0.0.1\r\nAuthorization: Bearer {TestHost.IngestToken}\r\nContent-Type: application/json\r\n" +
        $"Content-Length: {contentLength}\r\n\r\n";

    /// <summary>Everything the server sends until it closes the connection (read returns 0 or the socket resets).</summary>
    private static async Task<string> ReadUntilClosed(Socket socket)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0) break;
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (SocketException)
        {
        }
        return received.ToString();
    }

    /// <summary>
    /// Sends <paramref name="chunk"/> bytes every <paramref name="every"/> until the server closes the connection.
    /// The pause is the client's pace under test, not a wait for the server; the deadline is a failure.
    /// </summary>
    private static async Task<string> TrickleUntilClosed(Socket socket, int chunk, TimeSpan every)
    {
        var closed = ReadUntilClosed(socket);
        var deadline = DateTime.UtcNow + Generous;
        var bytes = Encoding.ASCII.GetBytes(new string(' ', chunk));
        while (!closed.IsCompleted)
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("the server kept a trickling connection open");
            try
            {
                await socket.SendAsync(bytes, SocketFlags.None);
            }
            catch (SocketException)
            {
                break;
            }
            await Task.WhenAny(closed, Task.Delay(every));
        }
        return await closed.WaitAsync(Generous);
    }

    /// <summary>Nothing, or a client-error status: never a success for a body that did not arrive, never a 5xx.</summary>
    private static void AssertNotAccepted(string received)
    {
        if (received.Length == 0) return;
        Assert.StartsWith("HTTP/1.1 4", received);
    }

    [Fact]
    public async Task A_body_that_stalls_gets_its_connection_closed()
    {
        using var socket = await Connect();
        await socket.SendAsync(Encoding.ASCII.GetBytes(Headers(10 * 1024 * 1024) + "[{\"workspace_id\""), SocketFlags.None);

        var received = await ReadUntilClosed(socket).WaitAsync(Generous);
        // Kestrel's verdict, as problem+json: the client's fault, not a 500.
        Assert.StartsWith("HTTP/1.1 408", received);
        Assert.Contains("application/problem+json", received);
    }

    [Fact]
    public async Task A_body_that_trickles_below_the_minimum_rate_gets_its_connection_closed()
    {
        using var socket = await Connect();
        await socket.SendAsync(Encoding.ASCII.GetBytes(Headers(10 * 1024 * 1024)), SocketFlags.None);

        // 500 bytes/s: above Kestrel's default minimum (240), below the configured 1000.
        var received = await TrickleUntilClosed(socket, chunk: 50, every: TimeSpan.FromMilliseconds(100));
        // Kestrel's verdict, as problem+json: the client's fault, not a 500.
        Assert.StartsWith("HTTP/1.1 408", received);
        Assert.Contains("application/problem+json", received);
    }

    [Fact]
    public async Task A_body_that_trickles_fast_enough_but_never_ends_is_cut_off_at_the_deadline()
    {
        using var socket = await Connect();
        await socket.SendAsync(Encoding.ASCII.GetBytes(Headers(10 * 1024 * 1024)), SocketFlags.None);

        // 2 KB every 100 ms is 20 KB/s, well above the 1000 bytes/s minimum: only the whole-body deadline ends it.
        var received = await TrickleUntilClosed(socket, chunk: 2048, every: TimeSpan.FromMilliseconds(100));
        AssertNotAccepted(received);
    }

    [Fact]
    public async Task Headers_that_never_end_get_the_connection_closed()
    {
        using var socket = await Connect();
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\n"), SocketFlags.None);

        await ReadUntilClosed(socket).WaitAsync(Generous);
    }

    [Fact]
    public async Task A_prompt_client_is_unaffected()
    {
        var ws = Ids.Workspace();
        var r = await _host.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, Ids.Generation()));
        Assert.Equal(202, r.Status);
        var bad = await _host.Ingest().Post("/v1/traces", "{not json");
        Assert.Equal(400, bad.Status);
    }
}
