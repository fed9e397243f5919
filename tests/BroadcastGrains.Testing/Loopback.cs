using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace BroadcastGrains.Testing;

/// <summary>Everything the tests and the bench open or call lives on 127.0.0.1.</summary>
public static class Loopback
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static Uri Url(int port) => new($"http://127.0.0.1:{port}");

    /// <summary>The address Kestrel bound, which matters when the port was 0.</summary>
    public static Uri BoundAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>The bound address as a PostHog endpoint is configured: no trailing slash.</summary>
    public static string BoundEndpoint(WebApplication app) => BoundAddress(app).ToString().TrimEnd('/');
}
