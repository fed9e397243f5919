using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// Deletes delivered outbox rows for every destination of the silo in one statement every few milliseconds,
/// instead of one round trip per batch per destination. A delete that is lost in a crash only means the
/// event is delivered again, with the same uuid, so removals need not hold up the delivery loop.
/// </summary>
public sealed partial class OutboxDeleteBatcher : IAsyncDisposable
{
    private const int MaxRowsPerStatement = 20_000;
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(20);

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<OutboxDeleteBatcher> _logger;
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _starting = new();
    private Task? _loop;

    public OutboxDeleteBatcher(NpgsqlDataSource dataSource, ILogger<OutboxDeleteBatcher> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
    }

    /// <summary>Starts the loop, once (the silo does, see <see cref="PostgresWriters"/>); deletes enqueued before wait.</summary>
    public void Start()
    {
        lock (_starting) _loop ??= Task.Run(LoopAsync);
    }

    public void Enqueue(string destinationKey, IReadOnlyList<long> seqs) =>
        _queue.Writer.TryWrite(new Item(destinationKey, seqs, null));

    /// <summary>Completes once every delete enqueued before the call is committed.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Item("", [], done))) return Task.CompletedTask;
        return done.Task;
    }

    private async Task LoopAsync()
    {
        var keys = new List<string>();
        var seqs = new List<long>();
        var flushes = new List<TaskCompletionSource>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            // Let a few more deliveries finish so that one statement carries them all.
            if (!_queue.Reader.TryPeek(out var first) || first.Done is null) await Task.Delay(Gather);
            keys.Clear();
            seqs.Clear();
            flushes.Clear();
            while (seqs.Count < MaxRowsPerStatement && _queue.Reader.TryRead(out var item))
            {
                if (item.Done is not null) flushes.Add(item.Done);
                foreach (var seq in item.Seqs)
                {
                    keys.Add(item.Key);
                    seqs.Add(seq);
                }
            }
            try
            {
                if (seqs.Count > 0) await DeleteAsync(keys, seqs);
                foreach (var f in flushes) f.TrySetResult();
            }
            catch (Exception ex)
            {
                // The rows stay and will be delivered again after a restart: noisy, not lossy.
                LogDeleteFailed(ex, seqs.Count);
                foreach (var f in flushes) f.TrySetException(ex);
            }
        }
    }

    private async Task DeleteAsync(List<string> keys, List<long> seqs)
    {
        await using var command = _dataSource.CreateCommand("""
            DELETE FROM broadcast_outbox o
            USING unnest($1::text[], $2::bigint[]) AS d(destination_key, seq)
            WHERE o.destination_key = d.destination_key AND o.seq = d.seq
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = seqs.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        // Never started: start now, so that whatever was queued is still deleted before the loop ends.
        Start();
        await _loop!;
    }

    private sealed record Item(string Key, IReadOnlyList<long> Seqs, TaskCompletionSource? Done);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting {Rows} delivered outbox rows failed; they will be delivered again after a restart")]
    private partial void LogDeleteFailed(Exception ex, int rows);
}
