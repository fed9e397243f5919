using System.Threading.Channels;
using BroadcastGrains.Traces;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// Group commit over binary COPY: items from every caller on this silo are gathered while the previous COPY is
/// in flight and written together (one transaction, one round trip). Each caller's task completes only when
/// its rows are committed, or fails with <see cref="IngestUnavailableException"/> (a 503 for ingest):
/// <list type="bullet">
/// <item>at the bound (<see cref="GroupCommitOptions.CommitQueueItems"/> / <see cref="GroupCommitOptions.CommitQueueBytes"/>
/// admitted and not yet answered) a new item is refused at once (<c>commit_queue</c>), so a database that does
/// not keep up never makes the queue grow without limit;</item>
/// <item>an item is answered within <see cref="GroupCommitOptions.CommitTimeout"/> (<c>commit_timeout</c>): one still
/// queued at its deadline is never written, and a COPY is cancelled at its oldest item's deadline;</item>
/// <item>a group that fails because the database is unreachable fails as a whole (<c>storage</c>); one that fails
/// for any other reason is retried one by one so only the culprit fails.</item>
/// </list>
/// A task completes only once no COPY reads its item any more, so the caller may reuse the item's buffers as soon
/// as it has its answer. A COPY cancelled at its deadline may still have committed (the answer was lost): then the
/// rows exist although the caller was told 503, which costs a duplicate under the same uuid, never an event.
/// </summary>
public abstract partial class CopyGroupCommit<TItem> : IAsyncDisposable where TItem : notnull
{
    private const int MaxRowsPerCommit = 10_000;
    private const long MaxBytesPerCommit = 16 * 1024 * 1024;
    /// <summary>What a client waits before retrying when the queue is full: it drains in a commit or two.</summary>
    private static readonly TimeSpan QueueFullRetryAfter = TimeSpan.FromSeconds(2);

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _timeout;
    private readonly int _maxItems;
    private readonly long _maxBytes;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly int _writerCount;
    private readonly Lock _starting = new();
    private Task[]? _writers;
    private long _admittedItems;
    private long _admittedBytes;
    private int _failing;

    protected CopyGroupCommit(NpgsqlDataSource dataSource, ILogger logger, int writers, GroupCommitOptions options, TimeProvider clock)
    {
        _dataSource = dataSource;
        _logger = logger;
        _clock = clock;
        _timeout = options.CommitTimeout > TimeSpan.Zero ? options.CommitTimeout : TimeSpan.FromSeconds(5);
        _maxItems = Math.Max(1, options.CommitQueueItems);
        _maxBytes = Math.Max(1, options.CommitQueueBytes);
        _writerCount = Math.Max(1, writers);
    }

    /// <summary>Starts the writers, once (the silo does, see <see cref="PostgresWriters"/>); items committed before wait in the queue.</summary>
    public void Start()
    {
        // A couple of writers keep the pipe full: one gathers while the other's COPY is committing.
        lock (_starting) _writers ??= Enumerable.Range(0, _writerCount).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    /// <summary>Items admitted and not yet answered (queued or in a COPY).</summary>
    public long AdmittedItems => Interlocked.Read(ref _admittedItems);

    /// <summary>The <c>COPY … FROM STDIN (FORMAT BINARY)</c> statement.</summary>
    protected abstract string CopyCommand { get; }

    protected abstract (int Rows, long Bytes) SizeOf(TItem item);

    protected abstract Task WriteAsync(NpgsqlBinaryImporter copy, TItem item, CancellationToken cancellationToken);

    /// <summary>Called after each committed group with its row count and how long its oldest item waited.</summary>
    protected virtual void OnCommitted(long rows, TimeSpan oldestWait)
    {
    }

    /// <summary>Throws <see cref="IngestUnavailableException"/> at once when the queue is at its bound or shut.</summary>
    protected Task CommitAsync(TItem item)
    {
        var (rows, bytes) = SizeOf(item);
        var items = Interlocked.Increment(ref _admittedItems);
        var total = Interlocked.Add(ref _admittedBytes, bytes);
        // One item alone is always admitted, however large, or it could never be written at all.
        if (items > _maxItems || (total > _maxBytes && total != bytes))
        {
            Uncount(bytes);
            throw new IngestUnavailableException("commit_queue",
                "Too many writes are waiting for the database; retry shortly.", QueueFullRetryAfter);
        }
        var pending = new Pending(item, rows, bytes, _clock.GetTimestamp());
        if (!_queue.Writer.TryWrite(pending))
        {
            Uncount(bytes);
            throw new IngestUnavailableException("draining", "The silo is shutting down.", StorageFaults.RetryAfter);
        }
        return pending.Done.Task;
    }

    private void Uncount(long bytes)
    {
        Interlocked.Decrement(ref _admittedItems);
        Interlocked.Add(ref _admittedBytes, -bytes);
    }

    private void Answer(Pending p, Exception? error)
    {
        Uncount(p.Bytes);
        if (error is null) p.Done.TrySetResult();
        else p.Done.TrySetException(error);
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<Pending>();
        var items = new List<TItem>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            long rows = 0, bytes = 0;
            var now = _clock.GetTimestamp();
            while (rows < MaxRowsPerCommit && bytes < MaxBytesPerCommit && _queue.Reader.TryRead(out var next))
            {
                if (_clock.GetElapsedTime(next.QueuedAt, now) >= _timeout)
                {
                    // Waited out its deadline behind a slow or hung commit: its caller gets a 503, nothing is written.
                    Answer(next, TimedOut(null));
                    continue;
                }
                group.Add(next);
                rows += next.Rows;
                bytes += next.Bytes;
            }
            if (group.Count == 0) continue;
            await CommitGroupAsync(group, items, rows);
        }
    }

    private async Task CommitGroupAsync(List<Pending> group, List<TItem> items, long rows)
    {
        // FIFO: the first item is the oldest, and its deadline is the group's.
        using var deadline = new CancellationTokenSource(Remaining(group[0]), _clock);
        try
        {
            await CopyAsync(group, items, deadline.Token);
            OnCommitted(rows, _clock.GetElapsedTime(group[0].QueuedAt));
            Recovered();
            foreach (var p in group) Answer(p, null);
            return;
        }
        catch (Exception ex) when (deadline.IsCancellationRequested || group.Count == 1 || StorageFaults.IsTransient(ex))
        {
            var error = deadline.IsCancellationRequested ? TimedOut(ex) : Unavailable(ex);
            if (deadline.IsCancellationRequested || StorageFaults.IsTransient(ex)) Failed(ex, group.Count);
            else LogItemFailed(_logger, ex);
            foreach (var p in group) Answer(p, error);
            return;
        }
        catch (Exception ex)
        {
            // Not the database's availability: something in one item. Find it by writing them one at a time.
            LogGroupFailed(_logger, ex, group.Count);
        }
        for (var i = 0; i < group.Count; i++)
        {
            var p = group[i];
            var remaining = Remaining(p);
            if (remaining <= TimeSpan.Zero)
            {
                Answer(p, TimedOut(null));
                continue;
            }
            using var own = new CancellationTokenSource(remaining, _clock);
            try
            {
                await CopyAsync([p], items, own.Token);
                Answer(p, null);
            }
            catch (Exception single)
            {
                Answer(p, own.IsCancellationRequested ? TimedOut(single) : Unavailable(single));
                if (!own.IsCancellationRequested && !StorageFaults.IsTransient(single)) LogItemFailed(_logger, single);
            }
        }
    }

    private TimeSpan Remaining(Pending p) => _timeout - _clock.GetElapsedTime(p.QueuedAt);

    private IngestUnavailableException TimedOut(Exception? inner) =>
        new("commit_timeout", $"The database did not commit within {_timeout.TotalSeconds:0.###} s; retry shortly.", StorageFaults.RetryAfter, inner);

    private static IngestUnavailableException Unavailable(Exception inner) =>
        inner as IngestUnavailableException ?? StorageFaults.AsUnavailable(inner)
        ?? new IngestUnavailableException("storage", "The database refused the write; retry shortly.", StorageFaults.RetryAfter, inner);

    private async Task CopyAsync(IReadOnlyList<Pending> group, List<TItem> items, CancellationToken cancellationToken)
    {
        items.Clear();
        foreach (var p in group) items.Add(p.Item);
        await CopyItemsAsync(items, cancellationToken);
    }

    /// <summary>Writes the items in one COPY and commits it; the seam the tests replace (they have no database).</summary>
    protected virtual async Task CopyItemsAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var copy = await connection.BeginBinaryImportAsync(CopyCommand, cancellationToken);
        foreach (var item in items) await WriteAsync(copy, item, cancellationToken);
        await copy.CompleteAsync(cancellationToken);
    }

    /// <summary>Logs the first failure of a run and its end, not every failed group while the database is down.</summary>
    private void Failed(Exception ex, int items)
    {
        if (Interlocked.Exchange(ref _failing, 1) == 0) LogUnavailable(_logger, ex, items);
    }

    private void Recovered()
    {
        if (Volatile.Read(ref _failing) == 1 && Interlocked.Exchange(ref _failing, 0) == 1) LogRecovered(_logger);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        // Never started: start now, so that whatever was queued is still answered before the writers end.
        Start();
        await Task.WhenAll(_writers!);
        GC.SuppressFinalize(this);
    }

    private sealed class Pending(TItem item, int rows, long bytes, long queuedAt)
    {
        public TItem Item { get; } = item;
        public int Rows { get; } = rows;
        public long Bytes { get; } = bytes;
        public long QueuedAt { get; } = queuedAt;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group commit of {Items} items failed; retrying them one by one")]
    private static partial void LogGroupFailed(ILogger logger, Exception ex, int items);

    [LoggerMessage(Level = LogLevel.Error, Message = "A single item could not be committed; its request is answered 503")]
    private static partial void LogItemFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database did not take a group commit of {Items} items; ingest answers 503 until a commit succeeds again")]
    private static partial void LogUnavailable(ILogger logger, Exception ex, int items);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group commits succeed again")]
    private static partial void LogRecovered(ILogger logger);
}
