namespace BroadcastGrains.PostHog.Network;

public static class PostHogHttpHandlerFactory
{
    /// <summary>
    /// One handler per silo: connections to a tenant's PostHog are pooled and kept alive across batches.
    /// No proxy and no redirects, because either would let a request leave through a door the guard does not watch.
    /// </summary>
    public static SocketsHttpHandler Create(NetworkOptions options) => new()
    {
        ConnectCallback = new GuardedConnector(options.AllowPrivateEndpoints).ConnectAsync,
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        // Re-resolve names now and then so that a PostHog address change is followed.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };
}
