namespace BroadcastGrains.Grains.Outbox;

/// <summary>
/// Where one destination activation writes the payloads of the events it accepts: pooled blocks that hold only
/// this destination's bytes, so a block lives exactly as long as this destination's undelivered events in it.
/// </summary>
public sealed class PayloadArena(PayloadPool pool)
{
    private PayloadChunk? _current;

    /// <summary>
    /// An event whose payload is a copy of <paramref name="payload"/>, in a pooled block when it is small enough
    /// (a larger one gets an array of its own: it would leave most of a block empty).
    /// </summary>
    public OutboxEvent Create(long seq, string generationId, DateTimeOffset acceptedAt, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > PayloadPool.ChunkBytes / 2)
            return new OutboxEvent(seq, generationId, acceptedAt, payload.ToArray());
        if (_current is null || !_current.Fits(payload.Length))
        {
            _current?.Seal();
            _current = new PayloadChunk(pool);
        }
        return new OutboxEvent(seq, generationId, acceptedAt, _current.Append(payload), _current);
    }

    /// <summary>The activation ends: its last block goes back once its events are gone.</summary>
    public void Close()
    {
        _current?.Seal();
        _current = null;
    }
}
