using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BroadcastGrains.Host.Composition;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace BroadcastGrains.Tests.Composition;

public sealed class ClusterTlsStartupCheckTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_open_cluster_is_a_warning_naming_both_ports_and_the_key()
    {
        var logger = new ListLogger();
        await new ClusterTlsStartupCheck(logger, new FakeTimeProvider(Start), null, openCluster: true, 11111, 30000).StartAsync(default);

        var (level, message) = Assert.Single(logger.Lines);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("11111", message);
        Assert.Contains("30000", message);
        Assert.Contains("Orleans:Tls:CertificatePath", message);
    }

    [Fact]
    public async Task A_certificate_warns_only_within_thirty_days_of_its_end()
    {
        using var certificate = ValidUntil(Start.AddDays(60));
        var time = new FakeTimeProvider(Start);
        var logger = new ListLogger();
        var check = new ClusterTlsStartupCheck(logger, time, certificate, openCluster: false, 11111, 30000);

        await check.StartAsync(default);
        Assert.Empty(logger.Lines);

        time.Advance(TimeSpan.FromDays(31)); // 29 days left
        await check.StartAsync(default);
        var (level, message) = Assert.Single(logger.Lines);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("2027-01-29", message);
    }

    private static X509Certificate2 ValidUntil(DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=cluster", key, HashAlgorithmName.SHA256).CreateSelfSigned(Start.AddDays(-1), notAfter);
    }

    private sealed class ListLogger : ILogger<ClusterTlsStartupCheck>
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
