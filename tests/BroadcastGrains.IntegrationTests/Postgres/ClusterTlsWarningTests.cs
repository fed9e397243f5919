using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>The start-up warning for a Postgres-clustered silo whose ports are open to anyone (CONTRACT §8.3).</summary>
public sealed class ClusterTlsWarningTests
{
    [Fact]
    public async Task A_clustered_silo_without_TLS_warns_that_anyone_reaching_its_ports_can_call_grains()
    {
        await using var db = await TestDatabase.CreateAsync();
        var siloPort = TestHost.FreePort();
        await using var host = await TestHost.StartAsync(Clustered(db, siloPort));

        var warning = Assert.Single(CapturedLogs.All, line => IsOpenClusterWarning(line, siloPort));
        Assert.StartsWith("Warning", warning);
        Assert.Contains("can call grains", warning);
        Assert.Contains("Orleans:Tls:CertificatePath", warning);
    }

    [Fact]
    public async Task A_clustered_silo_with_TLS_does_not_warn()
    {
        using var certificate = TestCertificate.Create();
        await using var db = await TestDatabase.CreateAsync();
        var siloPort = TestHost.FreePort();
        var settings = Clustered(db, siloPort);
        settings["Orleans:Tls:CertificatePath"] = certificate.Path;
        settings["Orleans:Tls:CertificatePassword"] = certificate.Password;
        await using var host = await TestHost.StartAsync(settings);

        Assert.Equal(200, (await host.Anonymous().Get("/readyz")).Status);
        Assert.DoesNotContain(CapturedLogs.All, line => IsOpenClusterWarning(line, siloPort));
    }

    // Other tests log into the same capture at the same time; the silo port tells this host's lines apart.
    private static bool IsOpenClusterWarning(string line, int siloPort) =>
        line.Contains("without TLS") && line.Contains($"silo port {siloPort} ");

    private static Dictionary<string, string?> Clustered(TestDatabase db, int siloPort) => new()
    {
        ["ConnectionStrings:Postgres"] = db.ConnectionString,
        ["Broadcast:Clustering"] = "Postgres",
        ["Orleans:SiloPort"] = siloPort.ToString(),
        ["Orleans:AdvertisedIP"] = "127.0.0.1",
    };
}
