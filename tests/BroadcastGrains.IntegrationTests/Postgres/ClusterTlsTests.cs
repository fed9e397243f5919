using System.Net;
using BroadcastGrains.Host.Composition;
using BroadcastGrains.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Hosting;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>
/// Silo processes on AdoNet clustering with mutual TLS (CONTRACT §8.3): holders of the cluster certificate form a
/// cluster and can call grains; a silo or Orleans client without it (or with another one) cannot.
/// </summary>
public sealed class ClusterTlsTests(ITestOutputHelper output)
{
    private const string ActiveSilos = "SELECT count(*) FROM orleans_cluster_silo WHERE status = 3";

    [Fact]
    public async Task Silos_with_the_cluster_certificate_form_a_cluster_that_only_its_holders_can_call()
    {
        using var cluster = TestCertificate.Create();
        using var stranger = TestCertificate.Create("CN=someone-else");
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        var gateway = TestHost.FreePort();
        var silos = new List<SiloProcess>();
        try
        {
            silos.Add(await SiloProcess.StartAsync("tls-a", db.ConnectionString, clustered: true,
                With(cluster.SiloEnvironment(), "Orleans__GatewayPort", gateway.ToString())));
            silos.Add(await SiloProcess.StartAsync("tls-b", db.ConnectionString, clustered: true, cluster.SiloEnvironment()));
            await Eventually.Value(() => db.ScalarAsync<long>(ActiveSilos), n => n == 2, "two active silos");

            // A client holding the certificate reaches both silos through one gateway: the statistics call fans
            // out from the gateway's silo to the other over the silo-to-silo connection.
            await using (var trusted = await ConnectAsync(gateway, c => c.UseTls(o => ClusterTls.Apply(o, cluster.Certificate))))
            {
                var management = trusted.GetGrain<IManagementGrain>(0);
                var hosts = (await management.GetHosts(onlyActive: true)).Keys.ToArray();
                Assert.Equal(2, hosts.Length);
                var statistics = await management.GetRuntimeStatistics(hosts);
                Assert.Equal(2, statistics.Length);
            }

            // Work placed across both silos is delivered: every API call and ingest goes to the silo that did not
            // create the destination, so grain calls cross the TLS link whichever silo the grains landed on.
            var tenants = new List<(string Workspace, string Destination, string Key)>();
            for (var i = 0; i < 6; i++) tenants.Add(await silos[i % 2].NewTenantAsync(postHog));
            for (var i = 0; i < tenants.Count; i++)
            {
                var (ws, _, _) = tenants[i];
                var r = await silos[(i + 1) % 2].Ingest().Post("/v1/traces", TraceJson.Array([TraceJson.Minimal(ws, $"g{i}")]));
                Assert.Equal(202, r.Status);
            }
            foreach (var (_, _, key) in tenants)
                await Eventually.True(() => postHog.EventsFor(key).Count > 0, $"delivery for {key}");

            // Without a certificate: TLS is spoken, but the silo requires the client's certificate.
            await AssertRefusedAsync(silos[0], gateway, "a client without a certificate", c => c.UseTls(o =>
            {
                o.ClientCertificateMode = RemoteCertificateMode.AllowCertificate;
                o.AllowAnyRemoteCertificate();
            }));
            // With a certificate of its own (valid, but not the cluster's): refused by the pin.
            await AssertRefusedAsync(silos[0], gateway, "a client with another certificate", c => c.UseTls(o =>
            {
                o.LocalCertificate = stranger.Certificate;
                o.AllowAnyRemoteCertificate();
            }));
            // Plain TCP, as every client could before: nothing it sends is a TLS handshake.
            await AssertRefusedAsync(silos[0], gateway, "a client without TLS", _ => { });
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_silo_without_the_cluster_certificate_cannot_join()
    {
        using var cluster = TestCertificate.Create();
        using var stranger = TestCertificate.Create("CN=someone-else");
        await using var db = await TestDatabase.CreateAsync();
        await using var first = await SiloProcess.StartAsync("tls-first", db.ConnectionString, clustered: true, cluster.SiloEnvironment());
        await Eventually.Value(() => db.ScalarAsync<long>(ActiveSilos), n => n == 1, "the first silo active");

        foreach (var (name, environment) in new[]
        {
            ("no-tls", new Dictionary<string, string>()),
            ("other-cert", stranger.SiloEnvironment()),
        })
        {
            Exception? failure = null;
            SiloProcess? intruder = null;
            try
            {
                intruder = await SiloProcess.StartAsync(name, db.ConnectionString, clustered: true, environment);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                failure = e;
            }
            if (intruder is not null) await intruder.DisposeAsync();
            output.WriteLine($"{name}: {failure?.Message}");
            Assert.NotNull(failure);
        }
        Assert.Equal(1L, await db.ScalarAsync<long>(ActiveSilos));
    }

    private static Dictionary<string, string> With(Dictionary<string, string> environment, string key, string value)
    {
        environment[key] = value;
        return environment;
    }

    /// <summary>
    /// An outsider reaching the gateway port connects and makes one grain call; it must fail because the silo
    /// refused the TLS handshake (counted in the silo's log), not because a deadline passed.
    /// </summary>
    private async Task AssertRefusedAsync(SiloProcess silo, int gatewayPort, string who, Action<IClientBuilder> configure)
    {
        var refusedBefore = Refusals(silo);
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var client = await ConnectAsync(gatewayPort, configure);
            await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        });
        output.WriteLine($"{who}: {failure.GetType().Name}: {failure.Message}");
        Assert.False(failure is OperationCanceledException, $"{who} timed out instead of being refused: {failure}");
        await Eventually.True(() => Refusals(silo) > refusedBefore, $"the silo logs the refused handshake of {who}");
    }

    /// <summary>Orleans' TLS middleware logs each handshake it rejects as "Authentication failed".</summary>
    private static int Refusals(SiloProcess silo) =>
        silo.Output.Split('\n').Count(line => line.Contains("TlsServerConnectionMiddleware") && line.Contains("Authentication failed"));

    private static async Task<OrleansClient> ConnectAsync(int gatewayPort, Action<IClientBuilder> configure)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(c =>
        {
            c.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = "broadcastgrains";
                o.ServiceId = "broadcastgrains";
            });
            c.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, gatewayPort));
            c.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(20));
            // One attempt: a refused connection is the answer, not something to retry for a minute.
            c.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
            configure(c);
        });
        var host = builder.Build();
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await host.StartAsync(deadline.Token);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new OrleansClient(host);
    }

    private sealed class OrleansClient(IHost host) : IAsyncDisposable
    {
        public IGrainFactory Grains => host.Services.GetRequiredService<IClusterClient>();
        public T GetGrain<T>(long key) where T : IGrainWithIntegerKey => Grains.GetGrain<T>(key);

        public async ValueTask DisposeAsync()
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await host.StopAsync(deadline.Token);
            }
            catch (Exception)
            {
                // a client that never connected has nothing to stop cleanly
            }
            host.Dispose();
        }
    }
}
