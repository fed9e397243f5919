using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// Group commit over binary COPY: items from every caller on this silo are gathered while the previous COPY is
/// in flight and written together (one transaction, one round trip). Each caller's task completes only when
/// its rows are committed; when a group fails, its items are retried one by one so only the culprit fails.
/// </summary>
public abstract partial class CopyGroupCommit<TItem> : IAsyncDisposable where TItem : notnull
{
    private const int MaxRowsPerCommit = 10_000;
    private const long MaxBytesPerCommit = 16 * 1024 * 1024;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _writers;

    protected CopyGroupCommit(NpgsqlDataSource dataSource, ILogger logger, int writers)
    {
        _dataSource = dataSource;
        _logger = logger;
        // A couple of writers keep the pipe full: one gathers while the other's COPY is committing.
        _writers = Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    /// <summary>The <c>COPY … FROM STDIN (FORMAT BINARY)</c> statement.</summary>
    protected abstract string CopyCommand { get; }

    protected abstract (int Rows, long Bytes) SizeOf(TItem item);

    protected abstract Task WriteAsync(NpgsqlBinaryImporter copy, TItem item);

    /// <summary>Called after each committed group with its row count and how long its oldest item waited.</summary>
    protected virtual void OnCommitted(long rows, TimeSpan oldestWait)
    {
    }

    protected Task CommitAsync(TItem item)
    {
        var pending = new Pending(item, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), Stopwatch.GetTimestamp());
        if (!_queue.Writer.TryWrite(pending)) throw new InvalidOperationException("The silo is shutting down.");
        return pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            long rows = 0, bytes = 0;
            while (rows < MaxRowsPerCommit && bytes < MaxBytesPerCommit && _queue.Reader.TryRead(out var next))
            {
                group.Add(next);
                var (r, b) = SizeOf(next.Item);
                rows += r;
                bytes += b;
            }
            if (group.Count == 0) continue;
            try
            {
                await CopyAsync(group);
                OnCommitted(rows, Stopwatch.GetElapsedTime(group[0].QueuedAt));
                foreach (var p in group) p.Done.TrySetResult();
            }
            catch (Exception ex) when (group.Count > 1)
            {
                LogGroupFailed(_logger, ex, group.Count);
                foreach (var p in group)
                {
                    try
                    {
                        await CopyAsync([p]);
                        p.Done.TrySetResult();
                    }
                    catch (Exception single)
                    {
                        p.Done.TrySetException(single);
                    }
                }
            }
            catch (Exception ex)
            {
                group[0].Done.TrySetException(ex);
            }
        }
    }

    private async Task CopyAsync(IReadOnlyList<Pending> group)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var copy = await connection.BeginBinaryImportAsync(CopyCommand);
        foreach (var p in group) await WriteAsync(copy, p.Item);
        await copy.CompleteAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
        GC.SuppressFinalize(this);
    }

    private sealed record Pending(TItem Item, TaskCompletionSource Done, long QueuedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Items} items failed; retrying them one by one")]
    private static partial void LogGroupFailed(ILogger logger, Exception ex, int items);
}
