using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BroadcastGrains.Ingestion;

/// <summary>
/// Reads a whole request body into one pooled buffer, refusing early once it passes the cap. The buffer grows
/// with the bytes that actually arrive (doubling, so at most about twice what was received, never more than the
/// claimed <c>Content-Length</c> or the cap), not with what the client claims it will send: a client that
/// announces 10 MB and trickles a few bytes holds <see cref="InitialBytes"/>, not 10 MB.
/// </summary>
public sealed class PooledBody : IDisposable
{
    /// <summary>
    /// The first buffer, unless the claimed length is smaller. Large enough that a typical ingest request
    /// (100 records, ~200 KB) is copied into a bigger buffer only twice on the way.
    /// </summary>
    internal const int InitialBytes = 64 * 1024;

    private readonly ArrayPool<byte> _pool;
    private byte[]? _buffer;

    private PooledBody(ArrayPool<byte> pool, byte[]? buffer, int length, bool tooLarge)
    {
        _pool = pool;
        _buffer = buffer;
        Length = length;
        TooLarge = tooLarge;
    }

    public int Length { get; }
    public bool TooLarge { get; }
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>
    /// Reads the body of <paramref name="request"/>. When <see cref="IngestBodyLimits.BodyReadTimeout"/> passes first,
    /// the connection is aborted: the read then fails as a cancelled request (the client sees the connection
    /// close; nothing of it was accepted).
    /// </summary>
    public static async Task<PooledBody> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var services = request.HttpContext.RequestServices;
        var timeout = services.GetService<IngestBodyLimits>()?.BodyReadTimeout ?? TimeSpan.Zero;
        if (timeout <= TimeSpan.Zero)
            return await ReadAsync(request.BodyReader, request.ContentLength, maxBytes, ArrayPool<byte>.Shared, cancellationToken);

        // Kestrel's minimum rate stops a body that stalls; this stops one that trickles just fast enough forever.
        using var deadline = new CancellationTokenSource(timeout, services.GetService<TimeProvider>() ?? TimeProvider.System);
        using var abort = deadline.Token.Register(static state =>
        {
            var (context, timeout) = ((HttpContext, TimeSpan))state!;
            context.RequestServices.GetService<ILoggerFactory>()?.CreateLogger<PooledBody>().LogInformation(
                "A request body was not complete {Timeout} after reading began; the connection is closed (Broadcast:Ingest:BodyReadTimeout).", timeout);
            context.Abort();
        }, (request.HttpContext, timeout));
        return await ReadAsync(request.BodyReader, request.ContentLength, maxBytes, ArrayPool<byte>.Shared, cancellationToken);
    }

    /// <summary>The reading itself, with the pool as a seam so tests can see what is rented when.</summary>
    internal static async Task<PooledBody> ReadAsync(PipeReader reader, long? contentLength, int maxBytes, ArrayPool<byte> pool, CancellationToken cancellationToken)
    {
        if (contentLength > maxBytes) return new PooledBody(pool, null, 0, tooLarge: true);
        // Kestrel ends the body at Content-Length, so a buffer never needs to be larger than the claim.
        var ceiling = (int)Math.Min(maxBytes, contentLength ?? maxBytes);
        var buffer = pool.Rent(Math.Max(1, Math.Min(InitialBytes, ceiling)));
        var length = 0;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(cancellationToken);
                var chunk = result.Buffer;
                if (length + chunk.Length > maxBytes)
                {
                    reader.AdvanceTo(chunk.End);
                    pool.Return(buffer);
                    return new PooledBody(pool, null, 0, tooLarge: true);
                }
                if (length + chunk.Length > buffer.Length)
                {
                    var needed = (int)(length + chunk.Length);
                    var bigger = pool.Rent(Math.Max(needed, (int)Math.Min(ceiling, buffer.Length * 2L)));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    pool.Return(buffer);
                    buffer = bigger;
                }
                chunk.CopyTo(buffer.AsSpan(length));
                length += (int)chunk.Length;
                reader.AdvanceTo(chunk.End);
                if (result.IsCompleted) break;
            }
            return new PooledBody(pool, buffer, length, tooLarge: false);
        }
        catch
        {
            pool.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        if (_buffer is { } b) _pool.Return(b);
        _buffer = null;
    }
}
