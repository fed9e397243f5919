using System.Diagnostics;
using BroadcastGrains.Host.Ingestion;
using BroadcastGrains.Ingestion;
using BroadcastGrains.PostHog.Delivery;
using BroadcastGrains.PostHog.Mapping;
using BroadcastGrains.Workspaces;
using Microsoft.Extensions.Options;

namespace BroadcastGrains.Host.WarmUp;

/// <summary>
/// Runs the per-trace hot path on synthetic requests once the silo has started, and only then lets <c>/readyz</c>
/// say ready (issue 18: a silo that just started delivered half of its steady rate in its first 20 s). Every method
/// of that path is called often enough for tiered compilation to queue it for its optimised tier, and the silo's
/// grain call path, serializers and pools exist before the first tenant's request; what is not exercised here (the
/// tenants' own grains and routes) is loaded on their first request as before.
/// </summary>
public sealed class HotPathWarmUp(
    IOptions<WarmUpOptions> options, IGrainFactory grains, IHostApplicationLifetime lifetime, TimeProvider clock, ILogger<HotPathWarmUp> logger,
    WarmUpHold? hold = null)
    : BackgroundService
{
    private const int RecordsPerRequest = 100;
    private const string ProbeWorkspace = "$warmup";

    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the warm-up ran (or was turned off, or failed: a warm-up never keeps a silo out of service).</summary>
    public bool Done => _done.Task.IsCompleted;

    /// <summary>Completes when <see cref="Done"/> becomes true (for whoever must not use the silo before it is ready).</summary>
    public Task Completion => _done.Task;

    /// <summary>How many synthetic requests went through the whole path (fewer than configured if it failed or ran out of time).</summary>
    public int RequestsRun { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // After every hosted service started, the silo among them: grain calls work from here on.
            await WhenStarted(stoppingToken);
            var settings = options.Value;
            if (settings.Requests > 0)
            {
                var started = Stopwatch.GetTimestamp();
                var budget = new WarmUpBudget(settings.Requests, settings.MaxDuration, clock);
                // Off the start-up path's thread: the loop below is CPU work for a few seconds.
                await Task.Run(() => RunAsync(budget, stoppingToken), stoppingToken);
                logger.LogInformation("Hot path warmed up with {Requests} requests of {Records} records in {Elapsed} ms",
                    RequestsRun, RecordsPerRequest, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            if (hold is not null) await hold.Released.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "The hot-path warm-up failed; the silo is ready without it");
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    private async Task RunAsync(WarmUpBudget budget, CancellationToken cancellationToken)
    {
        var body = WarmUpSample.Body(RecordsPerRequest);
        var mapping = new EventMappingOptions(WarmUpSample.Workspace, "warmup", PrivacyMode: false, "warmup");
        var privateMapping = mapping with { PrivacyMode = true };
        var keep = new JournalBody.Keep[RecordsPerRequest];
        for (var i = 0; i < keep.Length; i++) keep[i] = i % 2 == 0 ? JournalBody.Keep.Whole : JournalBody.Keep.WithoutText;
        var events = new List<ReadOnlyMemory<byte>>(RecordsPerRequest);
        var route = grains.GetGrain<IWorkspaceGrain>(ProbeWorkspace);
        for (var n = 0; budget.Continue(n); n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = TraceBatchParser.Parse(body, DateTimeOffset.UtcNow);
            if (!batch.IsValid) throw new InvalidOperationException($"The warm-up sample does not parse: {batch.Errors[0].Field} {batch.Errors[0].Message}");
            using (var copy = new PooledBufferWriter(body.Length + 64)) JournalBody.Rewrite(body, keep, copy, out _);
            events.Clear();
            foreach (var record in batch.Records)
            {
                var mapped = PostHogEventMapper.Map(record, n % 4 == 0 ? privateMapping : mapping);
                if (mapped.Json is { } json) events.Add(json);
            }
            BatchPayload.BuildGzip("phc_warmup", DateTimeOffset.UtcNow, events);
            // The grain call path, with a route's serializers.
            await route.GetRoute();
            RequestsRun = n + 1;
        }
    }

    private async Task WhenStarted(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(cancellationToken);
    }
}
