using System.Collections.Concurrent;
using System.Net.Sockets;
using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.Traces;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace BroadcastGrains.Tests.Postgres;

/// <summary>
/// The bounds of the group commit (queue items and bytes, the commit deadline) and how failures reach callers, with
/// the COPY replaced by a fake and time by <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class CopyGroupCommitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // Refusal at the bound is synchronous (before any task exists): the discarded task is never created.

    [Fact]
    public async Task At_the_item_bound_a_new_item_is_refused_at_once_and_admitted_again_once_the_queue_drains()
    {
        await using var commit = new FakeCommit(new GroupCommitOptions { CommitQueueItems = 3, CommitTimeout = TimeSpan.FromHours(1) });
        var gate = commit.HoldNextCopy();
        var first = commit.Submit("a");
        await commit.CopyStarted(1);
        var queued = new[] { commit.Submit("b"), commit.Submit("c") };

        var refused = Assert.Throws<IngestUnavailableException>(() => { _ = commit.Submit("d"); });
        Assert.Equal("commit_queue", refused.Reason);
        Assert.Equal(2, refused.RetryAfterSeconds);
        Assert.Equal(3, commit.AdmittedItems);

        gate.SetResult();
        await first.WaitAsync(Patience);
        await Task.WhenAll(queued).WaitAsync(Patience);
        Assert.Equal(0, commit.AdmittedItems);
        await commit.Submit("e").WaitAsync(Patience);
        Assert.DoesNotContain("d", commit.Copied);
    }

    [Fact]
    public async Task Nothing_is_written_before_the_writers_are_started_and_what_was_queued_is_written_then()
    {
        await using var commit = new FakeCommit(new GroupCommitOptions { CommitTimeout = TimeSpan.FromHours(1) }, start: false);
        var early = commit.Submit("early");
        Assert.False(early.IsCompleted);
        Assert.Equal(0, commit.Copies);

        commit.Start();
        commit.Start();
        await early.WaitAsync(Patience);
        await commit.Submit("later").WaitAsync(Patience);
        Assert.Equal(["early", "later"], commit.Copied);
    }

    [Fact]
    public async Task Disposing_writers_that_never_started_still_answers_what_was_queued()
    {
        var commit = new FakeCommit(new GroupCommitOptions { CommitTimeout = TimeSpan.FromHours(1) }, start: false);
        var queued = commit.Submit("queued");
        await commit.DisposeAsync();
        await queued.WaitAsync(Patience);
        Assert.Equal(["queued"], commit.Copied);
    }

    [Fact]
    public async Task At_the_byte_bound_a_new_item_is_refused_but_one_item_alone_is_always_admitted()
    {
        await using var commit = new FakeCommit(new GroupCommitOptions { CommitQueueBytes = 100, CommitTimeout = TimeSpan.FromHours(1) });
        var gate = commit.HoldNextCopy();
        var big = commit.Submit("big", bytes: 500);
        await commit.CopyStarted(1);
        Assert.Equal("commit_queue", Assert.Throws<IngestUnavailableException>(() => { _ = commit.Submit("small", bytes: 10); }).Reason);

        gate.SetResult();
        await big.WaitAsync(Patience);
        var gate2 = commit.HoldNextCopy();
        var sixty = commit.Submit("sixty", bytes: 60);
        await commit.CopyStarted(2);
        Assert.Equal("commit_queue", Assert.Throws<IngestUnavailableException>(() => { _ = commit.Submit("another-sixty", bytes: 60); }).Reason);
        var forty = commit.Submit("forty", bytes: 40);
        gate2.SetResult();
        await Task.WhenAll(sixty, forty).WaitAsync(Patience);
    }

    [Fact]
    public async Task A_hung_commit_answers_commit_timeout_at_the_deadline_and_items_queued_behind_it_are_never_written()
    {
        var clock = new FakeTimeProvider();
        var timeout = TimeSpan.FromSeconds(5);
        await using var commit = new FakeCommit(new GroupCommitOptions { CommitTimeout = timeout }, clock);
        commit.HangCopies();
        var hung = commit.Submit("hung");
        await commit.CopyStarted(1);
        var behind = commit.Submit("behind");

        clock.Advance(timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(hung.IsCompleted);
        Assert.False(behind.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        var first = await Assert.ThrowsAsync<IngestUnavailableException>(() => hung.WaitAsync(Patience));
        Assert.Equal("commit_timeout", first.Reason);
        Assert.Equal(5, first.RetryAfterSeconds);
        Assert.Equal("commit_timeout", (await Assert.ThrowsAsync<IngestUnavailableException>(() => behind.WaitAsync(Patience))).Reason);
        Assert.Equal(1, commit.Copies);
        Assert.Empty(commit.Copied);
        Assert.Equal(0, commit.AdmittedItems);
    }

    [Fact]
    public async Task An_unreachable_database_fails_the_whole_group_as_storage_without_retrying_item_by_item()
    {
        await using var commit = new FakeCommit(new GroupCommitOptions { CommitTimeout = TimeSpan.FromHours(1) });
        var gate = commit.HoldNextCopy();
        var first = commit.Submit("first");
        await commit.CopyStarted(1);
        var group = new[] { commit.Submit("x"), commit.Submit("y"), commit.Submit("z") };
        commit.FailCopies(_ => new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused)));
        gate.SetResult();

        await first.WaitAsync(Patience);
        foreach (var item in group)
        {
            var refused = await Assert.ThrowsAsync<IngestUnavailableException>(() => item.WaitAsync(Patience));
            Assert.Equal("storage", refused.Reason);
            Assert.IsType<NpgsqlException>(refused.InnerException);
        }
        Assert.Equal(2, commit.Copies);
    }

    [Fact]
    public async Task A_group_that_fails_over_one_item_is_retried_one_by_one_so_only_that_item_fails()
    {
        await using var commit = new FakeCommit(new GroupCommitOptions { CommitTimeout = TimeSpan.FromHours(1) });
        var gate = commit.HoldNextCopy();
        var first = commit.Submit("first");
        await commit.CopyStarted(1);
        var good = new[] { commit.Submit("good-1"), commit.Submit("good-2") };
        var bad = commit.Submit("bad");
        commit.FailCopies(items => items.Contains("bad") ? new PostgresException("invalid byte sequence", "ERROR", "ERROR", "22021") : null);
        gate.SetResult();

        await Task.WhenAll(good.Append(first)).WaitAsync(Patience);
        var refused = await Assert.ThrowsAsync<IngestUnavailableException>(() => bad.WaitAsync(Patience));
        Assert.True(StorageFaults.IsDataError(refused));
        Assert.Contains("good-1", commit.Copied);
        Assert.Contains("good-2", commit.Copied);
    }

    [Fact]
    public void Storage_faults_are_recognised_through_wrappers_and_bugs_are_not()
    {
        var wrapped = new AggregateException(new InvalidOperationException("activation failed", new NpgsqlException("connection refused", new SocketException())));
        Assert.Equal("storage", StorageFaults.AsUnavailable(wrapped)!.Reason);
        var own = new IngestUnavailableException("memory_budget", "full", TimeSpan.FromSeconds(3));
        Assert.Same(own, StorageFaults.AsUnavailable(new InvalidOperationException("outer", own)));
        Assert.Null(StorageFaults.AsUnavailable(new InvalidOperationException("a bug")));
        Assert.Null(StorageFaults.AsUnavailable(new NullReferenceException()));
    }

    private sealed class FakeCommit : CopyGroupCommit<FakeCommit.Item>
    {
        // The silo starts the writers with its lifecycle (PostgresWriters); a test starts them at once unless it says not to.
        public FakeCommit(GroupCommitOptions options, TimeProvider? clock = null, bool start = true)
            : base(NpgsqlDataSource.Create("Host=127.0.0.1;Port=1"), NullLogger.Instance, 1, options, clock ?? TimeProvider.System)
        {
            if (start) Start();
        }

        private readonly ConcurrentQueue<string> _copied = new();
        private readonly SemaphoreSlim _started = new(0);
        private TaskCompletionSource? _holdNext;
        private bool _hang;
        private Func<IReadOnlyList<string>, Exception?>? _fail;
        private int _copies;

        public IReadOnlyList<string> Copied => _copied.ToArray();
        public int Copies => Volatile.Read(ref _copies);

        public Task Submit(string name, long bytes = 1) => CommitAsync(new Item(name, bytes));

        /// <summary>The next COPY waits for the returned gate (and then succeeds unless told to fail).</summary>
        public TaskCompletionSource HoldNextCopy() => _holdNext = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void HangCopies() => _hang = true;

        public void FailCopies(Func<IReadOnlyList<string>, Exception?> fail) => _fail = fail;

        /// <summary>Waits (with a deadline) until <paramref name="count"/> COPYs have started in all.</summary>
        public async Task CopyStarted(int count)
        {
            while (Copies < count) Assert.True(await _started.WaitAsync(Patience), "a COPY started");
        }

        protected override string CopyCommand => "unused";

        protected override (int Rows, long Bytes) SizeOf(Item item) => (1, item.Bytes);

        protected override Task WriteAsync(NpgsqlBinaryImporter copy, Item item, CancellationToken cancellationToken) =>
            throw new NotSupportedException("the fake replaces the whole COPY");

        protected override async Task CopyItemsAsync(IReadOnlyList<Item> items, CancellationToken cancellationToken)
        {
            var names = items.Select(i => i.Name).ToList();
            // Read before waiting: a test changes them for the COPYs after the one it holds.
            var hang = _hang;
            var fail = _fail;
            Interlocked.Increment(ref _copies);
            var hold = Interlocked.Exchange(ref _holdNext, null);
            _started.Release();
            if (hold is not null) await hold.Task.WaitAsync(cancellationToken);
            if (hang) await Task.Delay(Timeout.Infinite, cancellationToken);
            if (fail?.Invoke(names) is { } error) throw error;
            foreach (var n in names) _copied.Enqueue(n);
        }

        public sealed record Item(string Name, long Bytes);
    }
}
