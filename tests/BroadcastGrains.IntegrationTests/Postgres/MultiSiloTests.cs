using System.Collections.Concurrent;
using BroadcastGrains.IntegrationTests.Support;
using Xunit.Abstractions;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>Three silo processes on AdoNet clustering; one is killed and nothing accepted is lost.</summary>
public sealed class MultiSiloTests(ITestOutputHelper output)
{
    private const int Workspaces = 12;
    private const int Rounds = 45;
    private const int RecordsPerRequest = 20;

    [Fact]
    public async Task Every_accepted_event_is_delivered_when_a_silo_dies_mid_stream()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        var silos = new List<SiloProcess>();
        try
        {
            for (var i = 0; i < 3; i++) silos.Add(await SiloProcess.StartAsync($"silo{i}", db.ConnectionString, clustered: true));
            await Eventually.Value(() => db.ScalarAsync<long>("SELECT count(*) FROM orleans_cluster_silo WHERE status = 3"), n => n == 3, "three active silos");

            var tenants = new List<(string Workspace, string Key)>();
            for (var i = 0; i < Workspaces; i++)
            {
                var (ws, _, key) = await silos[i % 3].NewTenantAsync(postHog);
                tenants.Add((ws, key));
            }

            // PostHog refuses everything until the kill, so every destination, including those living on the
            // doomed silo, holds committed events that only a re-activation elsewhere can deliver.
            postHog.BatchFault = _ => new FakeAnswer(503);
            var accepted = new ConcurrentDictionary<string, string>(); // generation id -> api key
            var started = DateTime.UtcNow;
            var retries = 0;
            var alive = new List<SiloProcess>(silos);
            for (var round = 0; round < Rounds; round++)
            {
                if (round == Rounds / 3)
                {
                    await Eventually.Value(() => db.ScalarAsync<long>("SELECT count(DISTINCT destination_key) FROM broadcast_outbox"),
                        n => n == Workspaces, "every destination holds pending events");
                    silos[1].Kill();
                    alive.Remove(silos[1]);
                    postHog.BatchFault = null;
                }
                var (ws, key) = tenants[round % Workspaces];
                var ids = Enumerable.Range(0, RecordsPerRequest).Select(i => $"r{round:D3}-{i:D2}").ToList();
                var body = TraceJson.Array(ids.Select(id => TraceJson.Minimal(ws, id)));
                retries += await SendUntilAccepted(alive, round, body);
                foreach (var id in ids) accepted[ws + "/" + id] = key;
            }

            await Eventually.True(() => Missing(postHog, tenants, accepted) == 0,
                "every accepted event delivered after the silo died", TimeSpan.FromSeconds(120));
            output.WriteLine($"{accepted.Count} events accepted and delivered across a silo crash in {(DateTime.UtcNow - started).TotalSeconds:0.0} s; {retries} requests were retried");
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task Destinations_orphaned_by_a_dead_silo_deliver_without_new_traffic()
    {
        // No periodic safety-net sweep in this test: only the sweep triggered by the death declaration can wake
        // the destinations whose activations (and delivery timers) died with the killed silo.
        var slowSweep = new Dictionary<string, string> { ["Broadcast__Recovery__SweepInterval"] = "00:10:00" };
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        var silos = new List<SiloProcess>();
        try
        {
            for (var i = 0; i < 3; i++) silos.Add(await SiloProcess.StartAsync($"orphans{i}", db.ConnectionString, clustered: true, slowSweep));
            await Eventually.Value(() => db.ScalarAsync<long>("SELECT count(*) FROM orleans_cluster_silo WHERE status = 3"), n => n == 3, "three active silos",
                TimeSpan.FromSeconds(60));

            postHog.BatchFault = _ => new FakeAnswer(503);
            var tenants = new List<(string Workspace, string Key)>();
            var accepted = new ConcurrentDictionary<string, string>();
            for (var i = 0; i < Workspaces; i++)
            {
                var (ws, _, key) = await silos[i % 3].NewTenantAsync(postHog);
                tenants.Add((ws, key));
                var ids = Enumerable.Range(0, RecordsPerRequest).Select(n => $"o{i:D2}-{n:D2}").ToList();
                var r = await silos[i % 3].Ingest().Post("/v1/traces", TraceJson.Array(ids.Select(id => TraceJson.Minimal(ws, id))));
                Assert.Equal(202, r.Status);
                foreach (var id in ids) accepted[ws + "/" + id] = key;
            }
            await Eventually.Value(() => db.ScalarAsync<long>("SELECT count(DISTINCT destination_key) FROM broadcast_outbox"),
                n => n == Workspaces, "every destination holds pending events");

            silos[1].Kill();
            postHog.BatchFault = null;
            await Eventually.True(() => Missing(postHog, tenants, accepted) == 0,
                "every accepted event delivered after the silo died, with no new traffic", TimeSpan.FromSeconds(180));
            await Eventually.Value(() => db.ScalarAsync<long>("SELECT count(*) FROM broadcast_outbox"), n => n == 0, "outbox emptied");
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    /// <summary>A client's retry loop: a request that failed because its silo (or a grain's silo) died is sent again elsewhere.</summary>
    private static async Task<int> SendUntilAccepted(List<SiloProcess> alive, int round, string body)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        for (var attempt = 0; ; attempt++)
        {
            var silo = alive[(round + attempt) % alive.Count];
            try
            {
                var r = await silo.Ingest().Post("/v1/traces", body);
                if (r.Status == 202) return attempt;
            }
            catch (HttpRequestException)
            {
                // the silo went away under the request
            }
            catch (TaskCanceledException)
            {
                // timed out while the cluster noticed the dead silo
            }
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"round {round} was never accepted");
            await Task.Delay(50);
        }
    }

    private static int Missing(FakePostHog postHog, List<(string Workspace, string Key)> tenants, ConcurrentDictionary<string, string> accepted)
    {
        var delivered = new HashSet<string>();
        foreach (var (ws, key) in tenants)
        {
            foreach (var e in postHog.EventsFor(key)) delivered.Add(ws + "/" + e["properties"]!["$ai_span_id"]!.GetValue<string>());
        }
        return accepted.Keys.Count(k => !delivered.Contains(k));
    }
}
