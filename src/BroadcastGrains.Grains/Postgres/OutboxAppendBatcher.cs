using System.Diagnostics;
using System.Threading.Channels;
using BroadcastGrains.Grains.Telemetry;
using BroadcastGrains.Grains.Outbox;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// Group commit for the outbox: appends from every destination grain on this silo are gathered while the
/// previous COPY is in flight and written together in one binary COPY (one transaction, one round trip).
/// Each caller's task completes only when its rows are committed.
/// </summary>
public sealed partial class OutboxAppendBatcher : IAsyncDisposable
{
    private const int MaxRowsPerCommit = 10_000;
    private const long MaxBytesPerCommit = 16 * 1024 * 1024;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<OutboxAppendBatcher> _logger;
    private readonly Channel<Append> _queue = Channel.CreateUnbounded<Append>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _writers;

    public OutboxAppendBatcher(NpgsqlDataSource dataSource, ILogger<OutboxAppendBatcher> logger, int writers = 2)
    {
        _dataSource = dataSource;
        _logger = logger;
        // A couple of writers keep the pipe full: one gathers while the other's COPY is committing.
        _writers = Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    public Task AppendAsync(string destinationKey, IReadOnlyList<OutboxEvent> events)
    {
        var append = new Append(destinationKey, events, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), Stopwatch.GetTimestamp());
        if (!_queue.Writer.TryWrite(append)) throw new InvalidOperationException("The outbox is shutting down.");
        return append.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<Append>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            long rows = 0, bytes = 0;
            while (rows < MaxRowsPerCommit && bytes < MaxBytesPerCommit && _queue.Reader.TryRead(out var next))
            {
                group.Add(next);
                rows += next.Events.Count;
                foreach (var e in next.Events) bytes += e.Payload.Length;
            }
            if (group.Count == 0) continue;
            try
            {
                await CopyAsync(group);
                BroadcastTelemetry.OutboxCommitWait.Record(Stopwatch.GetElapsedTime(group[0].QueuedAt).TotalSeconds);
                BroadcastTelemetry.OutboxCommitRows.Record(rows);
                foreach (var a in group) a.Done.TrySetResult();
            }
            catch (Exception ex) when (group.Count > 1)
            {
                // One bad append must not fail its neighbours: retry each alone so only the culprit fails.
                LogGroupFailed(ex, group.Count);
                foreach (var a in group)
                {
                    try
                    {
                        await CopyAsync([a]);
                        a.Done.TrySetResult();
                    }
                    catch (Exception single)
                    {
                        a.Done.TrySetException(single);
                    }
                }
            }
            catch (Exception ex)
            {
                group[0].Done.TrySetException(ex);
            }
        }
    }

    private async Task CopyAsync(IReadOnlyList<Append> group)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY broadcast_outbox (destination_key, seq, generation_id, accepted_at, payload, attempts) FROM STDIN (FORMAT BINARY)");
        foreach (var append in group)
        {
            foreach (var e in append.Events)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(append.DestinationKey, NpgsqlDbType.Text);
                await copy.WriteAsync(e.Seq, NpgsqlDbType.Bigint);
                await copy.WriteAsync(e.GenerationId, NpgsqlDbType.Text);
                await copy.WriteAsync(e.AcceptedAt, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(e.Payload, NpgsqlDbType.Bytea);
                await copy.WriteAsync(e.Attempts, NpgsqlDbType.Integer);
            }
        }
        await copy.CompleteAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }

    private sealed record Append(string DestinationKey, IReadOnlyList<OutboxEvent> Events, TaskCompletionSource Done, long QueuedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Appends} outbox appends failed; retrying them one by one")]
    private partial void LogGroupFailed(Exception ex, int appends);
}
