using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace BroadcastGrains.Bench.Common;

/// <summary>
/// A bare Kestrel server with no logging, configuration sources or middleware beyond what the caller adds,
/// so that what the bench's own servers cost is only their handler.
/// </summary>
public static class KestrelApp
{
    public static WebApplicationBuilder CreateBuilder(int port)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, port);
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        return builder;
    }

    /// <summary>The address Kestrel bound, which matters when the port was 0.</summary>
    public static Uri BoundAddress(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var first = addresses.First();
        return new Uri(first.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }
}
