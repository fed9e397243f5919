using System.Collections.Concurrent;
using System.Globalization;
using BroadcastGrains.IntegrationTests.Support;
using Xunit;
using Xunit.Abstractions;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>
/// Routing by owner (issue 18) across membership changes: ingest runs through every silo while a third silo joins and
/// then one of the first two is killed; every event answered 202 reaches its destination under exactly one uuid, and
/// once membership has settled no destination call lands on a silo that does not own its workspace.
/// </summary>
public sealed class OwnerRoutingTests(ITestOutputHelper output)
{
    private const int Workspaces = 12;
    private const int WorkspacesPerRequest = 4;
    private const int RecordsPerWorkspace = 3;

    [Fact]
    public async Task Ingest_through_every_silo_while_one_joins_and_one_dies_delivers_each_accepted_event_once_and_routing_converges()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        var silos = new List<SiloProcess>();
        try
        {
            for (var i = 0; i < 2; i++) silos.Add(await SiloProcess.StartAsync($"route{i}", db.ConnectionString, clustered: true));
            await ActiveSilos(db, 2);
            var tenants = new List<(string Workspace, string Key)>();
            for (var i = 0; i < Workspaces; i++)
            {
                var (ws, _, key) = await silos[i % 2].NewTenantAsync(postHog);
                tenants.Add((ws, key));
            }

            var accepted = new ConcurrentDictionary<string, string>(); // workspace/generation -> api key
            var alive = new List<SiloProcess>(silos);
            var round = 0;
            async Task Rounds(int count)
            {
                for (var end = round + count; round < end; round++)
                {
                    var (body, ids) = Request(tenants, round);
                    await SendUntilAccepted(alive, round, body);
                    foreach (var (id, key) in ids) accepted[id] = key;
                }
            }

            await Rounds(20);
            // A silo joins while requests keep coming through the other two: ownership of about a third moves to it.
            var joining = SiloProcess.StartAsync("route2", db.ConnectionString, clustered: true);
            while (!joining.IsCompleted) await Rounds(1);
            silos.Add(await joining);
            alive.Add(silos[2]);
            await ActiveSilos(db, 3);
            await Rounds(30);
            // One of the first two dies mid-stream: its shares fall back to the accepting silo until membership says so.
            silos[1].Kill();
            alive.Remove(silos[1]);
            await Rounds(30);

            await Eventually.True(() => Missing(postHog, tenants, accepted) == 0,
                "every accepted event delivered across a join and a crash", TimeSpan.FromSeconds(120));
            AssertOneUuidPerEvent(postHog, tenants, accepted);

            // Convergence, on counts: once every live silo sees the same members, a window of requests through every
            // silo (over all workspaces) still splits requests and sends shares to their owners, but reaches no
            // destination activation off its owner and needs no fallback. A window must show remote shares to count:
            // the metrics endpoint caches its answer briefly, so a short window can read as empty.
            await ActiveSilos(db, 2);
            var settled = await Eventually.Value(async () =>
            {
                var before = await Counters(alive);
                await Rounds(3 * alive.Count);
                var after = await Counters(alive);
                return (Misplaced: after.Misplaced - before.Misplaced, Fallback: after.Fallback - before.Fallback, Remote: after.Remote - before.Remote);
            }, d => d.Remote > 0 && d.Misplaced == 0 && d.Fallback == 0, "split requests and no misplaced destination calls after membership settled",
                TimeSpan.FromSeconds(60));
            Assert.Equal(0, settled.Misplaced);
            Assert.Equal(0, settled.Fallback);
            await Eventually.True(() => Missing(postHog, tenants, accepted) == 0, "the last passes delivered too", TimeSpan.FromSeconds(60));
            AssertOneUuidPerEvent(postHog, tenants, accepted);
            output.WriteLine($"{accepted.Count} events accepted in {round} requests across a join and a kill; after settling: {settled}");
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_routing_by_owner_off_the_accepting_silo_ingests_whole_requests_and_nothing_is_lost()
    {
        var off = new Dictionary<string, string> { ["Broadcast__Ingest__RouteByOwner"] = "false" };
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        var silos = new List<SiloProcess>();
        try
        {
            for (var i = 0; i < 2; i++) silos.Add(await SiloProcess.StartAsync($"unrouted{i}", db.ConnectionString, clustered: true, off));
            await ActiveSilos(db, 2);
            var tenants = new List<(string Workspace, string Key)>();
            for (var i = 0; i < Workspaces; i++)
            {
                var (ws, _, key) = await silos[i % 2].NewTenantAsync(postHog);
                tenants.Add((ws, key));
            }
            var accepted = new ConcurrentDictionary<string, string>();
            for (var round = 0; round < 10; round++)
            {
                var (body, ids) = Request(tenants, round);
                await SendUntilAccepted(silos, round, body);
                foreach (var (id, key) in ids) accepted[id] = key;
            }
            await Eventually.True(() => Missing(postHog, tenants, accepted) == 0, "every accepted event delivered", TimeSpan.FromSeconds(60));
            AssertOneUuidPerEvent(postHog, tenants, accepted);
            await Eventually.Value(() => Shares(silos, "local"), n => n >= 10, "every request counted as ingested where accepted");
            Assert.Equal(0, await Shares(silos, "remote"));
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    private static async Task<long> Shares(List<SiloProcess> silos, string where)
    {
        long shares = 0;
        foreach (var silo in silos) shares += Sum((await silo.Admin().Get("/metrics")).Body, "broadcast_ingest_shares_total", $"where=\"{where}\"");
        return shares;
    }

    /// <summary>Records of <see cref="WorkspacesPerRequest"/> workspaces, so that most requests have records for several owners.</summary>
    private static (string Body, List<(string Id, string Key)> Ids) Request(List<(string Workspace, string Key)> tenants, int round)
    {
        var records = new List<string>();
        var ids = new List<(string, string)>();
        for (var w = 0; w < WorkspacesPerRequest; w++)
        {
            var (ws, key) = tenants[(round * WorkspacesPerRequest + w * 5) % tenants.Count];
            for (var r = 0; r < RecordsPerWorkspace; r++)
            {
                var generation = string.Create(CultureInfo.InvariantCulture, $"g{round:D4}-{w}-{r}");
                records.Add(TraceJson.Minimal(ws, generation));
                ids.Add((ws + "/" + generation, key));
            }
        }
        return (TraceJson.Array(records), ids);
    }

    private static Task ActiveSilos(TestDatabase db, int count) =>
        Eventually.Value(() => db.ScalarAsync<long>("SELECT count(*) FROM orleans_cluster_silo WHERE status = 3"), n => n == count, $"{count} active silos");

    /// <summary>A client's retry loop: a request refused or cut off while a silo dies is sent again to the next silo.</summary>
    private static async Task SendUntilAccepted(List<SiloProcess> alive, int round, string body)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        for (var attempt = 0; ; attempt++)
        {
            var silo = alive[(round + attempt) % alive.Count];
            try
            {
                var r = await silo.Ingest().Post("/v1/traces", body);
                if (r.Status == 202) return;
                Assert.True(r.Status == 503, $"only 503 may refuse a valid request: {r}");
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
            await Task.Delay(50); // a client's pause before retrying; the loop is bounded by the deadline
        }
    }

    private static async Task<(long Misplaced, long Fallback, long Remote)> Counters(List<SiloProcess> silos)
    {
        long misplaced = 0, fallback = 0, remote = 0;
        foreach (var silo in silos)
        {
            var text = (await silo.Admin().Get("/metrics")).Body;
            misplaced += Sum(text, "broadcast_destination_misplaced_enqueues_total", null);
            fallback += Sum(text, "broadcast_ingest_shares_total", "where=\"fallback\"");
            remote += Sum(text, "broadcast_ingest_shares_total", "where=\"remote\"");
        }
        return (misplaced, fallback, remote);
    }

    private static long Sum(string metrics, string name, string? label)
    {
        long total = 0;
        foreach (var line in metrics.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || (label is not null && !line.Contains(label, StringComparison.Ordinal))) continue;
            var value = line[(line.LastIndexOf(' ') + 1)..];
            total += (long)double.Parse(value, CultureInfo.InvariantCulture);
        }
        return total;
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

    /// <summary>
    /// Per destination, the uuids that arrived are exactly one per accepted event: no event missing, none extra, and a
    /// re-send after a fallback (same event, same uuid) never shows as a second event.
    /// </summary>
    private void AssertOneUuidPerEvent(FakePostHog postHog, List<(string Workspace, string Key)> tenants, ConcurrentDictionary<string, string> accepted)
    {
        var resent = 0;
        foreach (var (ws, key) in tenants)
        {
            var events = postHog.EventsFor(key);
            var uuidByEvent = new Dictionary<string, HashSet<string>>();
            foreach (var e in events)
            {
                var id = ws + "/" + e["properties"]!["$ai_span_id"]!.GetValue<string>();
                Assert.True(accepted.TryGetValue(id, out var expectedKey) && expectedKey == key, $"{id} was never accepted for this destination");
                if (!uuidByEvent.TryGetValue(id, out var uuids)) uuidByEvent[id] = uuids = new HashSet<string>();
                uuids.Add(e["uuid"]!.GetValue<string>());
            }
            Assert.All(uuidByEvent, kv => Assert.Single(kv.Value));
            Assert.Equal(accepted.Count(kv => kv.Value == key), uuidByEvent.Count);
            resent += events.Count - uuidByEvent.Count;
        }
        output.WriteLine($"{resent} deliveries were re-sends of an event already delivered (same uuid)");
    }
}
