using BroadcastGrains.Host.WarmUp;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.Host.Composition;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BroadcastGrains.IntegrationTests.Support;

/// <summary>
/// The real host (HTTP API + co-hosted silo) on 127.0.0.1 with free ports, configured like production except
/// for the tokens, private endpoints (the fake PostHog is on loopback) and shortened delivery clocks.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token";
    public const string IngestToken = "test-ingest-token";

    private readonly WebApplication _app;

    private TestHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    public IServiceProvider Services => _app.Services;

    public static async Task<TestHost> StartAsync(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Broadcast:Auth:AdminTokens:0"] = AdminToken,
            ["Broadcast:Auth:IngestTokens:0"] = IngestToken,
            ["Broadcast:Network:AllowPrivateEndpoints"] = "true",
            ["Broadcast:Delivery:Linger"] = "00:00:00.050",
            ["Broadcast:Delivery:BackoffBase"] = "00:00:00.050",
            ["Broadcast:Delivery:BackoffCap"] = "00:00:00.500",
            ["Broadcast:Delivery:PauseRecheck"] = "00:00:00.300",
            // Enough to run every step of the warm-up; the full default would cost every test's host a second of CPU.
            ["Broadcast:WarmUp:Requests"] = "3",
            ["Orleans:SiloPort"] = FreePort().ToString(),
            ["Orleans:GatewayPort"] = FreePort().ToString(),
        };
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>()) settings[k] = v;

        var app = BroadcastApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            // Every test's events pass through blocks that are poisoned when returned: a payload read after its
            // block went back reaches the fake PostHog as bytes no mapping makes, and the test fails.
            builder.Services.AddSingleton(new PayloadPool(poisonReturned: true));
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(CapturedLogs.Provider);
            services?.Invoke(builder.Services);
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            // A start-up refused by validation leaves a built host behind that nobody else can dispose.
            await app.DisposeAsync();
            throw;
        }
        // Returned ready, as a silo process is once its /readyz answers 200: the warm-up runs after start and /readyz says
        // 503 until it is done. A test that holds the warm-up (WarmUpHold) looks at that state itself.
        if (app.Services.GetService<WarmUpHold>() is null)
            await app.Services.GetRequiredService<HotPathWarmUp>().Completion.WaitAsync(TimeSpan.FromSeconds(60));
        return new TestHost(app, Loopback.BoundAddress(app));
    }

    /// <summary>A fresh workspace with broadcast on and one PostHog destination whose key <paramref name="postHog"/> accepts.</summary>
    public async Task<(string Workspace, string DestinationId, string ApiKey)> NewWorkspaceWithDestination(FakePostHog postHog, string extra = "")
    {
        var ws = Ids.Workspace();
        var key = Ids.ApiKey();
        postHog.AcceptKey(key);
        var admin = Admin();
        var on = await admin.Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""");
        Assert.Equal(200, on.Status);
        var created = await admin.Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","name":"Product analytics","config":{"api_key":"{{{key}}}","endpoint":"{{{postHog.Endpoint}}}"}{{{extra}}}}""");
        Assert.True(created.Status == 201, created.ToString());
        return (ws, created.Json["id"]!.GetValue<string>(), key);
    }

    public ApiClient Admin() => new(BaseAddress, AdminToken);
    public ApiClient Ingest() => new(BaseAddress, IngestToken);
    public ApiClient Anonymous() => new(BaseAddress, null);
    public ApiClient WithToken(string token) => new(BaseAddress, token);

    public static int FreePort() => Loopback.FreePort();

    private Task? _stopping;

    /// <summary>A graceful stop, as on SIGTERM; idempotent.</summary>
    public Task StopAsync()
    {
        lock (_app)
        {
            return _stopping ??= Stop();
        }

        async Task Stop()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _app.StopAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }
}
