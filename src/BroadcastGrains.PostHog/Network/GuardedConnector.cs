using System.Net;
using System.Net.Sockets;

namespace BroadcastGrains.PostHog.Network;

/// <summary>
/// The connect step of every outbound PostHog request. Resolving and filtering here, at connect time, is
/// what defeats DNS re-binding: a name that was public when the config was tested cannot later lead us
/// into our own network.
/// </summary>
public sealed class GuardedConnector(bool allowPrivate)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);

        SocketException? lastError = null;
        var anyAllowed = false;
        foreach (var address in addresses)
        {
            if (!allowPrivate && !AddressClassifier.IsPublic(address)) continue;
            anyAllowed = true;
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                lastError = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        if (!anyAllowed) throw new BlockedAddressException(host);
        throw lastError!;
    }
}
