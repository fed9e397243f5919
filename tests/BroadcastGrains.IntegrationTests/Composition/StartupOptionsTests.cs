using BroadcastGrains.Grains.Delivery;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.Host.Ingestion;
using BroadcastGrains.Host.Operations;
using BroadcastGrains.Ingestion;
using BroadcastGrains.IntegrationTests.Support;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace BroadcastGrains.IntegrationTests.Composition;

/// <summary>Every options section is validated when the host starts: a bad value stops it with a message naming the key.</summary>
public sealed class StartupOptionsTests
{
    [Theory]
    [InlineData("Broadcast:Delivery:MaxBatchEvents", "0")]
    [InlineData("Broadcast:Delivery:MaxBatchEvents", "501")]
    [InlineData("Broadcast:Delivery:MaxBatchBytes", "1000")]
    [InlineData("Broadcast:Delivery:BackoffBase", "00:00:00")]
    [InlineData("Broadcast:Delivery:DeadLetterSweepInterval", "00:00:00")]
    [InlineData("Broadcast:Delivery:MaxBacklog", "0")]
    [InlineData("Broadcast:Ingest:RouteCacheTtl", "-00:00:01")]
    [InlineData("Broadcast:Ingest:MinBodyBytesPerSecond", "-1")]
    [InlineData("Broadcast:Shutdown:GracePeriod", "00:00:00")]
    [InlineData("Broadcast:MemoryTrim:CheckInterval", "00:00:00")]
    [InlineData("Broadcast:Memory:MaxBufferedBytes", "0")]
    public async Task A_bad_value_stops_start_up_naming_its_key(string key, string value)
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(key, ex.Message);
    }

    [Fact]
    public async Task A_backoff_cap_below_its_base_names_both_keys()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Delivery:BackoffBase"] = "00:00:10",
            ["Broadcast:Delivery:BackoffCap"] = "00:00:01",
        }));
        Assert.Contains("Broadcast:Delivery:BackoffCap must not be shorter than Broadcast:Delivery:BackoffBase", ex.Message);
    }

    /// <summary>Validation runs before any service starts, so the unreachable database is never asked.</summary>
    [Theory]
    [InlineData("Broadcast:Journal:Writers", "0")]
    [InlineData("Broadcast:Journal:MaxHold", "-00:00:01")]
    [InlineData("Broadcast:Ingest:CommitTimeout", "00:00:00")]
    [InlineData("Broadcast:Ingest:CommitQueueItems", "0")]
    [InlineData("Broadcast:Recovery:SweepInterval", "00:00:00")]
    public async Task A_bad_postgres_mode_value_stops_start_up_naming_its_key(string key, string value)
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Storage"] = "Postgres",
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=nobody;Timeout=1",
            [key] = value,
        }));
        Assert.Contains(key, ex.Message);
    }

    [Fact]
    public async Task Defaults_are_the_documented_ones()
    {
        await using var host = await TestHost.StartAsync();
        T Get<T>() where T : class => host.Services.GetRequiredService<IOptions<T>>().Value;

        var delivery = Get<DeliveryOptions>();
        Assert.Equal(
            (500, 4 * 1024 * 1024, TimeSpan.FromSeconds(30), TimeSpan.FromHours(24), TimeSpan.FromHours(1), 100_000, 10_000, TimeSpan.FromDays(7), TimeSpan.FromMinutes(10)),
            (delivery.MaxBatchEvents, delivery.MaxBatchBytes, delivery.SendTimeout, delivery.MaxEventAge, delivery.MaxRetryAfter, delivery.MaxBacklog,
                delivery.MaxDeadLetters, delivery.DeadLetterRetention, delivery.DeadLetterSweepInterval));
        Assert.Equal(
            (256, 1024, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)),
            (delivery.MaxConcurrentSends, delivery.MaxSlowSends, delivery.HangThreshold, delivery.SuspectSendTimeout, delivery.CounterFlushInterval));
        // The test host shortens these three; the rest above are untouched defaults.
        Assert.Equal((TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500)),
            (delivery.Linger, delivery.BackoffBase, delivery.BackoffCap));

        Assert.Equal(TimeSpan.FromSeconds(2), Get<IngestOptions>().RouteCacheTtl);
        var body = Get<IngestBodyLimits>();
        Assert.Equal((16 * 1024.0, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60)),
            (body.MinBodyBytesPerSecond, body.MinBodyRateGracePeriod, body.RequestHeadersTimeout, body.BodyReadTimeout));
        var kestrel = Get<KestrelServerOptions>().Limits;
        Assert.Equal((TimeSpan.FromSeconds(10), 16 * 1024.0, TimeSpan.FromSeconds(10)),
            (kestrel.RequestHeadersTimeout, kestrel.MinRequestBodyDataRate!.BytesPerSecond, kestrel.MinRequestBodyDataRate.GracePeriod));

        var shutdown = Get<ShutdownOptions>();
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromSeconds(20)), (shutdown.DrainDelay, shutdown.GracePeriod));
        Assert.Equal(TimeSpan.FromSeconds(35), Get<HostOptions>().ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), Get<GrainCollectionOptions>().DeactivationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), Get<MemoryTrimOptions>().CheckInterval);
        Assert.Equal(MemoryBudget.DefaultMaxBytes(durableStorage: false), host.Services.GetRequiredService<MemoryBudget>().MaxBytes);

        // Postgres mode only: the same classes, bound the same way.
        var commits = new GroupCommitOptions();
        Assert.Equal((TimeSpan.FromSeconds(5), 50_000, 268_435_456L), (commits.CommitTimeout, commits.CommitQueueItems, commits.CommitQueueBytes));
        var journal = new JournalOptions();
        Assert.Equal((true, 2, TimeSpan.FromSeconds(10)), (journal.Enabled, journal.Writers, journal.MaxHold));
        Assert.Equal(TimeSpan.FromMinutes(5), new RecoveryOptions().SweepInterval);
    }
}
