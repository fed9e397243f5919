namespace BroadcastGrains.Grains.Outbox;

/// <summary>
/// The silo's reusable blocks for mapped event payloads (see <see cref="PayloadChunk"/>). Payloads wait a linger
/// or more before they are sent; as fresh arrays they would outlive the young generations and every ephemeral GC
/// would copy the last second of them (tens of MB at 20 000 events/s), pausing ingest. Reused blocks sit in the
/// old generation, where nothing is copied.
/// </summary>
/// <param name="maxPooledChunks">Free blocks kept for reuse; beyond it returned blocks are left to the GC.</param>
/// <param name="poisonReturned">
/// For tests: returned blocks are overwritten with <see cref="Poison"/> and reused only after
/// <see cref="QuarantineChunks"/> others were returned, so a payload read after its block was returned shows up as
/// bytes no mapping produces, instead of as another tenant's event.
/// </param>
public sealed class PayloadPool(int maxPooledChunks = PayloadPool.DefaultMaxPooledChunks, bool poisonReturned = false)
{
    public const int ChunkBytes = 16 * 1024;

    /// <summary>64 MiB: about two seconds of payloads at 20 000 events/s, i.e. what a busy silo holds in its lingers.</summary>
    public const int DefaultMaxPooledChunks = 4096;

    public const byte Poison = 0xEE;
    public const int QuarantineChunks = 16;

    private readonly Stack<byte[]> _free = new();
    private readonly Queue<byte[]> _quarantine = new();
    private long _rented;
    private long _returned;
    private long _reused;

    public bool PoisonsReturned => poisonReturned;

    /// <summary>Blocks handed out, given back, and handed out again from the pool, since start (for tests).</summary>
    public (long Rented, long Returned, long Reused) Counts =>
        (Interlocked.Read(ref _rented), Interlocked.Read(ref _returned), Interlocked.Read(ref _reused));

    public int FreeChunks
    {
        get
        {
            lock (_free) return _free.Count;
        }
    }

    internal byte[] Rent()
    {
        Interlocked.Increment(ref _rented);
        lock (_free)
        {
            if (_free.TryPop(out var buffer))
            {
                _reused++;
                return buffer;
            }
        }
        return GC.AllocateUninitializedArray<byte>(ChunkBytes);
    }

    internal void Return(byte[] buffer)
    {
        Interlocked.Increment(ref _returned);
        if (poisonReturned) buffer.AsSpan().Fill(Poison);
        lock (_free)
        {
            if (poisonReturned)
            {
                _quarantine.Enqueue(buffer);
                if (_quarantine.Count <= QuarantineChunks) return;
                buffer = _quarantine.Dequeue();
            }
            if (_free.Count < maxPooledChunks) _free.Push(buffer);
        }
    }

    /// <summary>Drops every free block, for a quiet silo giving memory back.</summary>
    public void Trim()
    {
        lock (_free) _free.Clear();
    }
}
