using System.Text;

namespace BroadcastGrains.IntegrationTests.Support;

/// <summary>
/// The real host as a separate OS process, so a test can kill it the way a crash does (SIGKILL: no
/// shutdown hooks, no flush) and start another one on the same database.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly DotnetProcess _process;
    private readonly StringBuilder _output;

    private SiloProcess(DotnetProcess process, StringBuilder output, Uri baseAddress, string name, int siloPort)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
        Name = name;
        SiloPort = siloPort;
    }

    public Uri BaseAddress { get; }
    /// <summary>Its silo-to-silo port: the <c>port</c> of its row in the membership table.</summary>
    public int SiloPort { get; }
    public string Name { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    public ApiClient Admin() => new(BaseAddress, TestHost.AdminToken);

    /// <summary>A fresh workspace with broadcast on and one destination whose key <paramref name="postHog"/> accepts, made through this silo's API.</summary>
    public async Task<(string Workspace, string Destination, string Key)> NewTenantAsync(FakePostHog postHog)
    {
        var ws = Ids.Workspace();
        var key = Ids.ApiKey();
        postHog.AcceptKey(key);
        var admin = Admin();
        Assert.Equal(200, (await admin.Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);
        var created = await admin.Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","config":{"api_key":"{{{key}}}","endpoint":"{{{postHog.Endpoint}}}"}}""");
        Assert.True(created.Status == 201, created.ToString());
        return (ws, created.Json["id"]!.GetValue<string>(), key);
    }
    public ApiClient Ingest() => new(BaseAddress, TestHost.IngestToken);

    /// <param name="productionMembership">Keep the host's own membership clocks instead of the shortened ones.</param>
    /// <param name="readyWithin">The start-up bound: not ready by then fails the start (default 90 s).</param>
    public static async Task<SiloProcess> StartAsync(string name, string connectionString, bool clustered, IDictionary<string, string>? extra = null,
        bool productionMembership = false, TimeSpan? readyWithin = null)
    {
        var httpPort = Loopback.FreePort();
        var env = new Dictionary<string, string>();
        env["ASPNETCORE_ENVIRONMENT"] = "Testing";
        env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";
        env["ConnectionStrings__Postgres"] = connectionString;
        env["Broadcast__Storage"] = "Postgres";
        env["Broadcast__Clustering"] = clustered ? "Postgres" : "Localhost";
        env["Broadcast__Auth__AdminTokens__0"] = TestHost.AdminToken;
        env["Broadcast__Auth__IngestTokens__0"] = TestHost.IngestToken;
        env["Broadcast__Network__AllowPrivateEndpoints"] = "true";
        env["Broadcast__Delivery__Linger"] = "00:00:00.050";
        env["Broadcast__Delivery__BackoffBase"] = "00:00:00.050";
        env["Broadcast__Delivery__BackoffCap"] = "00:00:00.500";
        env["Broadcast__Recovery__SweepInterval"] = "00:00:01";
        var siloPort = Loopback.FreePort();
        env["Orleans__SiloPort"] = siloPort.ToString();
        env["Orleans__GatewayPort"] = Loopback.FreePort().ToString();
        env["Orleans__AdvertisedIP"] = "127.0.0.1";
        if (!productionMembership)
        {
            // Short membership clocks: a killed silo is declared dead in seconds instead of about a minute.
            env["Orleans__Membership__ProbeTimeout"] = "00:00:01";
            env["Orleans__Membership__NumMissedProbesLimit"] = "2";
            env["Orleans__Membership__NumVotesForDeathDeclaration"] = "1";
            env["Orleans__Membership__TableRefreshTimeout"] = "00:00:01";
            env["Orleans__Membership__IAmAliveTablePublishTimeout"] = "00:00:02";
            env["Orleans__Membership__DeathVoteExpirationTimeout"] = "00:00:10";
        }
        env["Logging__LogLevel__Default"] = "Warning";
        // Every step of the warm-up, not the full count: tests start many silos on two cores.
        env["Broadcast__WarmUp__Requests"] = "3";
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) env[k] = v;

        var output = new StringBuilder();
        var process = DotnetProcess.Start(HostAssembly(), [], env, workingDirectory: null, line => Append(output, line));
        var silo = new SiloProcess(process, output, Loopback.Url(httpPort), name, siloPort);
        try
        {
            await process.WaitUntilReadyAsync(name, silo.BaseAddress, readyWithin ?? TimeSpan.FromSeconds(90), () => "\n" + silo.Output);
            return silo;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: what a crash or an OOM kill does.</summary>
    public void Kill() => _process.Kill();

    private static void Append(StringBuilder output, string line)
    {
        lock (output)
        {
            if (output.Length < 200_000) output.AppendLine(line);
        }
    }

    /// <summary>The host's own build output, next to this test project's (same configuration).</summary>
    private static string HostAssembly()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent!.Name; // .../bin/<Configuration>/net10.0/
        for (var dir = here; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BroadcastGrains.sln")))
            {
                var path = Path.Combine(dir.FullName, "src", "BroadcastGrains.Host", "bin", configuration, "net10.0", "BroadcastGrains.Host.dll");
                if (File.Exists(path)) return path;
                throw new FileNotFoundException("Build the host first", path);
            }
        }
        throw new DirectoryNotFoundException("BroadcastGrains.sln not found above " + here.FullName);
    }

    /// <summary>A polite stop first (SIGTERM), so normal teardown does not look like a crash in the database.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
