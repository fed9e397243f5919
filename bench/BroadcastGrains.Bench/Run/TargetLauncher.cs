using System.Globalization;
using BroadcastGrains.Testing;

namespace BroadcastGrains.Bench.Run;

/// <summary>Starts a program under test as its own process on free loopback ports, configured as an operator would.</summary>
public sealed class TargetLauncher(string repoRoot, string logDir, string adminToken, string ingestToken, IReadOnlyDictionary<string, string> hostEnvironment)
{
    public string AdminToken => adminToken;
    public string IngestToken => ingestToken;
    public string LogDirectory => logDir;

    /// <summary>Where <see cref="BenchRunner"/> publishes the host: Release, ReadyToRun, as an operator deploys it.</summary>
    public static string PublishDirectory(string repoRoot) => Path.Combine(repoRoot, "src", "BroadcastGrains.Host", "bin", "Release", "publish");

    public string HostDll => Path.Combine(PublishDirectory(repoRoot), "BroadcastGrains.Host.dll");

    public Task<ChildProcess> StartAsync(
        TargetKind kind, string logName, string? postgres, IDictionary<string, string>? extra, CancellationToken cancellationToken)
    {
        var port = Loopback.FreePort();
        var address = Loopback.Url(port);
        var log = Path.Combine(logDir, logName + ".log");
        if (kind == TargetKind.Baseline)
        {
            var dll = typeof(TargetLauncher).Assembly.Location;
            string[] args = ["baseline", "--port", port.ToString(CultureInfo.InvariantCulture), "--ingest-token", ingestToken, "--admin-token", adminToken];
            return ChildProcess.StartAsync("baseline", dll, args, new Dictionary<string, string>(), address, log, TimeSpan.FromSeconds(60), cancellationToken);
        }

        if (!File.Exists(HostDll)) throw new FileNotFoundException("Publish the host first (the bench does unless --no-build): dotnet publish -c Release --use-current-runtime --self-contained false -p:PublishReadyToRun=true -o src/BroadcastGrains.Host/bin/Release/publish src/BroadcastGrains.Host", HostDll);
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/'),
            ["Broadcast__Network__AllowPrivateEndpoints"] = "true",
            ["Broadcast__Auth__AdminTokens__0"] = adminToken,
            ["Broadcast__Auth__IngestTokens__0"] = ingestToken,
            ["Orleans__SiloPort"] = Loopback.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = Loopback.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Broadcast__Storage"] = kind == TargetKind.Postgres ? "Postgres" : "Memory",
        };
        foreach (var (k, v) in hostEnvironment) env[k] = v;
        if (kind == TargetKind.Postgres) env["ConnectionStrings__Postgres"] = postgres ?? throw new ArgumentNullException(nameof(postgres));
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) env[k] = v;
        return ChildProcess.StartAsync($"host ({kind})", HostDll, [], env, address, log, TimeSpan.FromSeconds(120), cancellationToken);
    }
}
