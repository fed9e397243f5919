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
}
