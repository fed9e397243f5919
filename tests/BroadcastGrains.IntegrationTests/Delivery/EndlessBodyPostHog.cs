using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace BroadcastGrains.IntegrationTests.Delivery;

/// <summary>
/// A PostHog on 127.0.0.1 that answers /flags/ and /batch/ with 200 and a chunked body that never ends. A raw
/// socket server rather than Kestrel: Kestrel keeps accepting writes for a while after the client has gone, so only
/// the socket itself can tell how much of the body was actually taken off our hands.
/// </summary>
public sealed class EndlessBodyPostHog : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private Task _accepting = Task.CompletedTask;
    private int _batchRequests;
    private int _batchEvents;
    private int _abandoned;
    private long _bodyBytesSent;

    public string Endpoint { get; private set; } = "";
    public int BatchRequests => Volatile.Read(ref _batchRequests);
    public int BatchEvents => Volatile.Read(ref _batchEvents);
    /// <summary>Answers the client closed the connection on while we were still sending the body.</summary>
    public int Abandoned => Volatile.Read(ref _abandoned);
    /// <summary>Body bytes the kernel accepted from us: what the client read plus what socket buffers held.</summary>
    public long BodyBytesSent => Interlocked.Read(ref _bodyBytesSent);

    public static EndlessBodyPostHog Start()
    {
        var fake = new EndlessBodyPostHog();
        fake._listener.Start();
        fake.Endpoint = $"http://127.0.0.1:{((IPEndPoint)fake._listener.LocalEndpoint).Port}";
        fake._accepting = fake.AcceptAsync();
        return fake;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_connections) _connections.Add(ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            var (path, body) = await ReadRequestAsync(stream);
            if (path.StartsWith("/batch/", StringComparison.Ordinal))
            {
                using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
                var events = (await JsonNode.ParseAsync(gzip))!["batch"]!.AsArray().Count;
                Interlocked.Add(ref _batchEvents, events);
                Interlocked.Increment(ref _batchRequests);
            }
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray(), _stop.Token);
            var chunk = Encoding.ASCII.GetBytes("10000\r\n" + "{" + new string(' ', 0x10000 - 1) + "\r\n");
            while (true)
            {
                await stream.WriteAsync(chunk, _stop.Token);
                Interlocked.Add(ref _bodyBytesSent, 0x10000);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _abandoned);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<(string Path, byte[] Body)> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            if (await stream.ReadAsync(one) == 0) throw new IOException("closed before the request head ended");
            head.Add(one[0]);
        }
        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n");
        var path = lines[0].Split(' ')[1];
        var length = lines.Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => int.Parse(p[1].Trim())).FirstOrDefault();
        var body = new byte[length];
        await stream.ReadExactlyAsync(body);
        return (path, body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] open;
        lock (_connections) open = _connections.ToArray();
        await Task.WhenAll(open);
        _stop.Dispose();
    }
}
