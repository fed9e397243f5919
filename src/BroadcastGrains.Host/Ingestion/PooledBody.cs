using System.Buffers;
using System.IO.Pipelines;

namespace BroadcastGrains.Host.Ingestion;

/// <summary>Reads a whole request body into one pooled buffer, refusing early once it passes the cap.</summary>
public sealed class PooledBody : IDisposable
{
    private byte[]? _buffer;

    private PooledBody(byte[]? buffer, int length, bool tooLarge)
    {
        _buffer = buffer;
        Length = length;
        TooLarge = tooLarge;
    }

    public int Length { get; }
    public bool TooLarge { get; }
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    public static async Task<PooledBody> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes) return new PooledBody(null, 0, tooLarge: true);
        var reader = request.BodyReader;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 16 * 1024, 1024, maxBytes));
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
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new PooledBody(null, 0, tooLarge: true);
                }
                if (length + chunk.Length > buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes, Math.Max(buffer.Length * 2L, length + chunk.Length)));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                chunk.CopyTo(buffer.AsSpan(length));
                length += (int)chunk.Length;
                reader.AdvanceTo(chunk.End);
                if (result.IsCompleted) break;
            }
            return new PooledBody(buffer, length, tooLarge: false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        if (_buffer is { } b) ArrayPool<byte>.Shared.Return(b);
        _buffer = null;
    }
}
