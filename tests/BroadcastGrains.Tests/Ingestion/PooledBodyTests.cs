using System.Buffers;
using System.IO.Pipelines;
using BroadcastGrains.Host.Ingestion;
using BroadcastGrains.Ingestion;

namespace BroadcastGrains.Tests.Ingestion;

public class PooledBodyTests
{
    private const int Cap = 10 * 1024 * 1024;

    /// <summary>Hands out exact-size arrays and remembers each rent with how many bytes the test had sent by then.</summary>
    private sealed class RecordingPool : ArrayPool<byte>
    {
        private readonly object _gate = new();
        public readonly List<(int Size, long SentSoFar)> Rents = [];
        public int Returned;
        public long Sent;

        public override byte[] Rent(int minimumLength)
        {
            lock (_gate) Rents.Add((minimumLength, Interlocked.Read(ref Sent)));
            return new byte[minimumLength];
        }

        public override void Return(byte[] array, bool clearArray = false) => Interlocked.Increment(ref Returned);

        public int RentCount { get { lock (_gate) return Rents.Count; } }
        public int Largest { get { lock (_gate) return Rents.Max(r => r.Size); } }
    }

    private static async Task Send(Pipe pipe, RecordingPool pool, ReadOnlyMemory<byte> bytes)
    {
        Interlocked.Add(ref pool.Sent, bytes.Length);
        await pipe.Writer.WriteAsync(bytes);
    }

    [Fact]
    public async Task A_claimed_10_MB_with_a_few_bytes_sent_rents_only_a_small_buffer()
    {
        var pipe = new Pipe();
        var pool = new RecordingPool();
        var reading = PooledBody.ReadAsync(pipe.Reader, contentLength: Cap, Cap, pool, CancellationToken.None);

        // Before any byte arrives: the claim alone buys no memory.
        Assert.Equal(1, pool.RentCount);
        Assert.True(pool.Largest <= PooledBody.InitialBytes, $"rented {pool.Largest} bytes before any byte arrived");

        await Send(pipe, pool, new byte[100]);
        await pipe.Writer.CompleteAsync();
        using var body = await reading;

        Assert.Equal(100, body.Length);
        Assert.True(pool.Largest <= PooledBody.InitialBytes, $"rented {pool.Largest} bytes for 100 received");
    }

    [Fact]
    public async Task The_buffer_grows_with_the_bytes_received_and_the_body_arrives_whole()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024));
        var pool = new RecordingPool();
        var data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(data);
        var reading = PooledBody.ReadAsync(pipe.Reader, contentLength: null, Cap, pool, CancellationToken.None);

        for (var at = 0; at < data.Length; at += 8192) await Send(pipe, pool, data.AsMemory(at, Math.Min(8192, data.Length - at)));
        await pipe.Writer.CompleteAsync();
        using (var body = await reading)
        {
            Assert.True(body.Span.SequenceEqual(data));
        }

        // Each buffer is at most twice what had been sent when it was rented (the reader cannot have seen more).
        Assert.All(pool.Rents, r => Assert.True(r.Size <= Math.Max(PooledBody.InitialBytes, 2 * r.SentSoFar), $"rented {r.Size} after {r.SentSoFar} sent"));
        Assert.True(pool.RentCount >= 5, "grew step by step");
        Assert.Equal(pool.RentCount, pool.Returned);
    }

    [Fact]
    public async Task An_honest_claim_is_the_largest_buffer_needed()
    {
        var pipe = new Pipe();
        var pool = new RecordingPool();
        var data = new byte[100_000];
        var reading = PooledBody.ReadAsync(pipe.Reader, contentLength: data.Length, Cap, pool, CancellationToken.None);
        await Send(pipe, pool, data);
        await pipe.Writer.CompleteAsync();
        using var body = await reading;

        Assert.Equal(data.Length, body.Length);
        Assert.Equal(data.Length, pool.Largest);
    }

    [Fact]
    public async Task A_body_past_the_cap_is_too_large_and_gives_its_buffers_back()
    {
        // The reader stops at the cap; a writer that could block on it would never finish.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var pool = new RecordingPool();
        var reading = PooledBody.ReadAsync(pipe.Reader, contentLength: null, maxBytes: 200_000, pool, CancellationToken.None);
        for (var i = 0; i < 30; i++) await Send(pipe, pool, new byte[10_000]);
        await pipe.Writer.CompleteAsync();
        using var body = await reading;

        Assert.True(body.TooLarge);
        Assert.Equal(pool.RentCount, pool.Returned);
        Assert.True(pool.Largest <= 200_000);
    }

    [Fact]
    public async Task A_claim_over_the_cap_is_too_large_before_anything_is_rented()
    {
        var pool = new RecordingPool();
        using var body = await PooledBody.ReadAsync(new Pipe().Reader, contentLength: Cap + 1L, Cap, pool, CancellationToken.None);
        Assert.True(body.TooLarge);
        Assert.Equal(0, pool.RentCount);
    }

    [Fact]
    public async Task A_read_that_fails_gives_its_buffer_back()
    {
        var pipe = new Pipe();
        var pool = new RecordingPool();
        using var cancel = new CancellationTokenSource();
        var reading = PooledBody.ReadAsync(pipe.Reader, contentLength: Cap, Cap, pool, cancel.Token);
        await Send(pipe, pool, new byte[10]);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
        Assert.Equal(pool.RentCount, pool.Returned);
    }
}
