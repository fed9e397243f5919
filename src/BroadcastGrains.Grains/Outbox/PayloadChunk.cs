namespace BroadcastGrains.Grains.Outbox;

/// <summary>
/// A pooled block holding the payloads of one destination's events back to back. It goes back to the pool when
/// its arena has moved on and every event sliced from it has been recycled (<see cref="OutboxEvent.Recycle"/>).
/// An event that leaves some other way (dead-lettered, discarded, spilled, dropped with a failed request) is never
/// recycled, so its block is never reused and is simply collected with its last event: a block given back too late
/// costs memory, one given back too early would send one tenant's bytes to another.
/// </summary>
internal sealed class PayloadChunk(PayloadPool pool)
{
    private byte[]? _buffer = pool.Rent();
    private int _used;

    /// <summary>Events sliced and not yet recycled, plus one while the arena may still append.</summary>
    private int _refs = 1;

    /// <summary>Copies a payload in and counts its event; the arena's owner only.</summary>
    public ReadOnlyMemory<byte> Append(ReadOnlySpan<byte> payload)
    {
        var buffer = _buffer ?? throw new InvalidOperationException("The block was sealed.");
        // Only the arena's own reference is left: no slice of it is alive, so it starts over.
        if (Volatile.Read(ref _refs) == 1) _used = 0;
        // Counted before the copy: a locked instruction right after it would wait for all its stores to land.
        Interlocked.Increment(ref _refs);
        payload.CopyTo(buffer.AsSpan(_used));
        var slice = new ReadOnlyMemory<byte>(buffer, _used, payload.Length);
        _used += payload.Length;
        return slice;
    }

    /// <summary>Whether a payload of this size fits, possibly after starting over.</summary>
    public bool Fits(int length) =>
        _buffer is not null && (Volatile.Read(ref _refs) == 1 ? _buffer.Length : _buffer.Length - _used) >= length;

    /// <summary>The arena is done with the block: from now on only its events keep it.</summary>
    public void Seal() => Release();

    /// <summary>One event sliced from the block has left memory for good.</summary>
    public void Release()
    {
        var refs = Interlocked.Decrement(ref _refs);
        if (refs > 0) return;
        if (refs < 0) throw new InvalidOperationException("A payload block was released more often than it was used.");
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) pool.Return(buffer);
    }
}
