using System.Text;
using BroadcastGrains.Delivery;
using BroadcastGrains.Destinations;
using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.Destinations;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace BroadcastGrains.Tests.Delivery.Loop;

/// <summary>
/// One destination's intake and delivery loop over the memory outbox, a fake PostHog, a fake timer and a fake clock.
/// Random draws are <see cref="Random"/> (0.5 unless a test sets it): the linger is then 0.9 of the configured one
/// and a backoff half its ceiling.
/// </summary>
internal sealed class DeliveryHarness
{
    public const string Key = "ws_1/dst_1";
    public static readonly DateTimeOffset Start = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);

    public static readonly DestinationConfig Config = new() { Name = "analytics", ApiKey = "phc_old", Endpoint = "http://127.0.0.1:9" };

    private long _seq;

    public DeliveryHarness(DeliveryOptions? options = null, long memoryBudget = long.MaxValue)
    {
        Options = options ?? new DeliveryOptions();
        Timer = new FakeDeliveryTimer(Clock);
        Budget = new MemoryBudget(memoryBudget);
        Outbox = new MemoryOutboxStore(Budget, Clock, Microsoft.Extensions.Options.Options.Create(Options));
        Backlog = new BacklogRegistry(Clock);
        Destination = new DestinationContext(Key, () => State, () =>
        {
            Writes++;
            return Task.CompletedTask;
        }, Clock, Options.CounterFlushInterval, random: 0);
        Destination.Config = Config;
        Destination.RefreshMapping();
        Loop = new DeliveryLoop(Destination, Outbox.For(Key), Sender, Timer, Backlog, Options, Clock, NullLogger.Instance, () => Random);
        Intake = new DestinationIntake(Destination, Loop, Outbox.For(Key), new PayloadPool(), Options, Clock, NullLogger.Instance);
    }

    public FakeTimeProvider Clock { get; } = new(Start);
    public DeliveryOptions Options { get; }
    public DestinationState State { get; } = new();
    public int Writes { get; private set; }
    public MemoryBudget Budget { get; }
    public MemoryOutboxStore Outbox { get; }
    public FakeBatchSender Sender { get; } = new();
    public FakeDeliveryTimer Timer { get; }
    public BacklogRegistry Backlog { get; }
    public DestinationContext Destination { get; }
    public DeliveryLoop Loop { get; }
    public DestinationIntake Intake { get; }
    public double Random { get; set; } = 0.5;

    /// <summary>Stores <paramref name="count"/> events (uuids g1, g2, …) accepted now, as intake does.</summary>
    public async Task AddAsync(int count)
    {
        var now = Clock.GetUtcNow();
        var events = new List<OutboxEvent>();
        for (var i = 0; i < count; i++)
        {
            var seq = ++_seq;
            events.Add(new OutboxEvent(seq, $"g{seq}", now, Encoding.UTF8.GetBytes($$"""{"uuid":"g{{seq}}"}""")));
        }
        await Outbox.AppendAsync(Key, events);
        Loop.Accepted(count, now);
    }

    /// <summary>Lets the clock run to the timer and starts what it fires (awaited: the run; not awaited: the run in flight).</summary>
    public Task FireAsync()
    {
        var due = Timer.DueAt ?? throw new InvalidOperationException("the timer is not set");
        Timer.DueAt = null;
        if (due > Clock.GetUtcNow()) Clock.SetUtcNow(due);
        return Loop.RunAsync(Timer.Token);
    }

    public async Task<long> PendingInOutboxAsync() => (await Outbox.SummarizeAsync(Key)).Pending;

    public Task<IReadOnlyList<DeadLetter>> DeadLettersAsync() => Outbox.ListDeadLettersAsync(Key, 100);
}
