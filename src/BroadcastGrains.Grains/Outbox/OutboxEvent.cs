namespace BroadcastGrains.Grains.Outbox;

/// <summary>One mapped PostHog event waiting for delivery. <see cref="Seq"/> orders a destination's events.</summary>
public sealed record OutboxEvent(long Seq, string GenerationId, DateTimeOffset AcceptedAt, ReadOnlyMemory<byte> Payload, int Attempts = 0)
{
    private PayloadChunk? _chunk;
    private bool _inBlock;

    internal OutboxEvent(long seq, string generationId, DateTimeOffset acceptedAt, ReadOnlyMemory<byte> payload, PayloadChunk chunk)
        : this(seq, generationId, acceptedAt, payload)
    {
        _chunk = chunk;
        _inBlock = true;
    }

    /// <summary>
    /// A copy (<c>with</c>) reads the same bytes but does not own them: only the original is ever recycled, so
    /// a copy must not outlive it in memory (copies are written to rows or dead letters, never queued).
    /// </summary>
    private OutboxEvent(OutboxEvent original)
    {
        Seq = original.Seq;
        GenerationId = original.GenerationId;
        AcceptedAt = original.AcceptedAt;
        Payload = original.Payload;
        _inBlock = original._inBlock;
        Attempts = original.Attempts;
        HeldBy = original.HeldBy;
        Removed = original.Removed;
    }

    /// <summary>The event's JSON; empty once recycled, so a reader that comes too late sends nothing rather than another event's bytes.</summary>
    public ReadOnlyMemory<byte> Payload { get; private set; } = Payload;

    /// <summary>Delivery attempts so far; counted in place by a store that keeps the event in memory.</summary>
    public int Attempts { get; set; } = Attempts;

    /// <summary>
    /// The ingest journal entry that makes this event durable while it lives only in memory (Postgres mode);
    /// empty when the event is a row of the outbox (or the store is not durable).
    /// </summary>
    public Guid HeldBy { get; set; }

    /// <summary>Set once the event has left its window (delivered, dead-lettered or discarded).</summary>
    public bool Removed { get; set; }

    /// <summary>Whether the payload is a slice of a pooled block (copies made with <c>with</c> included).</summary>
    internal bool InPooledBlock => _inBlock;

    /// <summary>
    /// The event was delivered and no one will read its payload again: its share of the pooled block goes back.
    /// Only for an event leaving a store's memory with no write of that memory in flight.
    /// </summary>
    internal void Recycle()
    {
        var chunk = Interlocked.Exchange(ref _chunk, null);
        if (chunk is null) return;
        Payload = ReadOnlyMemory<byte>.Empty;
        _inBlock = false;
        chunk.Release();
    }

    /// <summary>A copy that keeps the record but not the bytes (a dead letter there was no memory for): never replayable.</summary>
    public OutboxEvent WithoutPayload() => new OutboxEvent(this) { Payload = ReadOnlyMemory<byte>.Empty, _inBlock = false };

    /// <summary>A copy with a payload array of its own, for what outlives the destination's memory (dead letters).</summary>
    public OutboxEvent Detached() =>
        _inBlock ? new OutboxEvent(this) { Payload = Payload.ToArray(), _inBlock = false } : this;
}
