using System.Text.Json.Nodes;
using BroadcastGrains.Grains.Outbox;
using BroadcastGrains.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BroadcastGrains.IntegrationTests.Delivery;

/// <summary>
/// Mapped events wait in pooled blocks that are reused once delivered. A block reused too early would send one
/// tenant's bytes to another: many tenants in mixed requests, some of them failing and retrying (spills in
/// Postgres mode), must each receive exactly their own events, byte for byte, while blocks are being reused.
/// The test host poisons every returned block, so a late read shows up as an unparseable event.
/// </summary>
public sealed class PooledPayloadTests
{
    private const int Workspaces = 24;
    private const int Rounds = 8;
    private const int RecordsPerRequest = 100;

    [Theory]
    [InlineData("Memory")]
    [InlineData("Postgres")]
    public async Task Every_tenant_receives_exactly_its_own_bytes_while_blocks_are_reused(string storage)
    {
        await using var db = storage == "Postgres" ? await TestDatabase.CreateAsync() : null;
        await using var postHog = await FakePostHog.StartAsync();
        var settings = new Dictionary<string, string?> { ["Broadcast:Storage"] = storage };
        if (db is not null) settings["ConnectionStrings:Postgres"] = db.ConnectionString;
        await using var host = await TestHost.StartAsync(settings);
        var pool = host.Services.GetRequiredService<PayloadPool>();
        Assert.True(pool.PoisonsReturned);

        var tenants = new List<(string Workspace, string ApiKey)>();
        for (var i = 0; i < Workspaces; i++)
        {
            var (ws, _, key) = await host.NewWorkspaceWithDestination(postHog);
            tenants.Add((ws, key));
        }
        // A quarter of the tenants fail their first two batches: their events are retried (and spilled to rows).
        var failing = tenants.Where((_, i) => i % 4 == 0).Select(t => t.ApiKey).ToHashSet();
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        postHog.BatchFault = b =>
            failing.Contains(b.ApiKey) && failures.AddOrUpdate(b.ApiKey, 1, (_, n) => n + 1) <= 2 ? new FakeAnswer(503) : null;

        var expected = tenants.ToDictionary(t => t.ApiKey, _ => new List<string>());
        var contentOf = new Dictionary<string, string>();
        var next = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var records = new List<string>();
            for (var r = 0; r < RecordsPerRequest; r++, next++)
            {
                var (ws, key) = tenants[(next * 7 + round) % Workspaces];
                var generation = $"g-{round}-{r:D3}";
                // Events of ~1 to ~8 KB fill and seal blocks every round; every tenth is larger than half a block
                // (an array of its own).
                var pad = next % 10 == 9 ? 9_000 : 40 + next * 131 % 3_000;
                var content = $"{ws}:{generation}:" + new string((char)('a' + next % 26), pad);
                contentOf[$"{key}/{generation}"] = content;
                expected[key].Add(generation);
                records.Add(Record(ws, generation, content));
            }
            var response = await host.Ingest().Post("/v1/traces", TraceJson.Array(records));
            Assert.Equal(202, response.Status);
            Assert.Equal(RecordsPerRequest, response.Json["queued"]!.GetValue<int>());
            // Each round is delivered before the next, so the next one writes into blocks given back.
            var sent = (round + 1) * RecordsPerRequest;
            await Eventually.True(() => tenants.Sum(t => postHog.EventsFor(t.ApiKey).Count) >= sent, $"round {round} delivered");
        }

        foreach (var (ws, key) in tenants)
        {
            var events = postHog.EventsFor(key);
            Assert.Equal(expected[key], events.Select(e => e["properties"]!["$ai_span_id"]!.GetValue<string>()));
            foreach (var e in events)
            {
                var generation = e["properties"]!["$ai_span_id"]!.GetValue<string>();
                Assert.Equal(contentOf[$"{key}/{generation}"], e["properties"]!["$ai_input"]![0]!["content"]!.GetValue<string>());
                Assert.Equal(contentOf[$"{key}/{generation}"], e["properties"]!["$ai_output_choices"]![0]!["content"]!.GetValue<string>());
            }
        }
        Assert.All(postHog.Batches, b => Assert.True(b.Accepted || failing.Contains(b.ApiKey), "only the failing tenants were refused"));
        var (_, returned, reused) = pool.Counts;
        Assert.True(returned > PayloadPool.QuarantineChunks, $"blocks returned: {returned}");
        Assert.True(reused > 0, $"no block was reused ({returned} returned): the test did not exercise reuse");
    }

    private static string Record(string workspace, string generation, string content) =>
        new JsonObject
        {
            ["workspace_id"] = workspace,
            ["generation_id"] = generation,
            ["request"] = new JsonObject
            {
                ["model"] = "openai/gpt-4o",
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
            },
            ["response"] = new JsonObject
            {
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                    ["finish_reason"] = "stop",
                }),
            },
        }.ToJsonString();
}
