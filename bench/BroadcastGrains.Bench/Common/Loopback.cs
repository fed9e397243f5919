using System.Net;
using System.Net.Sockets;

namespace BroadcastGrains.Bench.Common;

/// <summary>Everything the bench opens or calls lives on 127.0.0.1.</summary>
public static class Loopback
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static Uri Url(int port) => new($"http://127.0.0.1:{port}");
}
