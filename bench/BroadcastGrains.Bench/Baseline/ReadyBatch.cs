namespace BroadcastGrains.Bench.Baseline;

/// <summary>A full or lingered batch taken from a destination; <see cref="Events"/> is rented and returned after the send.</summary>
public readonly record struct ReadyBatch(BaselineDestination Destination, ReadOnlyMemory<byte>[] Events, int Count);
