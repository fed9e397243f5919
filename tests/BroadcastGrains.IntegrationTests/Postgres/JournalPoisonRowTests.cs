using System.Text;
using BroadcastGrains.Grains.Journal;
using BroadcastGrains.IntegrationTests.Support;
using Npgsql;
using NpgsqlTypes;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>
/// CONTRACT §8.2: a journal row that cannot be ingested again is set aside and never blocks the rows behind it.
/// The rows are those a departed silo left (its owner is no silo this one knows), as after a crash.
/// </summary>
public sealed class JournalPoisonRowTests
{
    [Fact]
    public async Task Rows_that_cannot_be_replayed_are_set_aside_and_the_rows_behind_them_are_delivered()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Storage"] = "Postgres",
            ["ConnectionStrings:Postgres"] = db.ConnectionString,
            ["Broadcast:Recovery:SweepInterval"] = "00:00:01",
        });
        var (ws1, _, key1) = await host.NewWorkspaceWithDestination(postHog);
        var (ws2, _, key2) = await host.NewWorkspaceWithDestination(postHog);

        var acceptedAt = DateTimeOffset.UtcNow.AddMinutes(-2);
        // In acceptance order: two rows nothing current can ingest, then the good ones.
        var poison = new[]
        {
            // What an older parser let through and this one refuses: the replay cannot even say for whom it was.
            Insert(acceptedAt, """[{"workspace_id":"__WS__","generation_id":"no-request"}]""".Replace("__WS__", ws1)),
            // A string cut inside an emoji (lone surrogate): the parser of ae0296d throws on it rather than refusing it.
            Insert(acceptedAt.AddMilliseconds(1), TraceJson.Array([
                $$$"""{"workspace_id":"{{{ws1}}}","generation_id":"cut-emoji","request":{"model":"m","user":"user_\ud83d"}}""",
                TraceJson.Minimal(ws2, "cut-emoji-neighbour")])),
        };
        var good = new List<(string Workspace, string Generation)>();
        var rows = new List<Func<NpgsqlConnection, Task>>(poison);
        for (var r = 0; r < 3; r++)
        {
            var records = new[] { (ws1, $"good-{r}-a"), (ws2, $"good-{r}-b"), (ws1, $"good-{r}-c") };
            good.AddRange(records);
            rows.Add(Insert(acceptedAt.AddSeconds(1 + r), TraceJson.Array(records.Select(x => TraceJson.Minimal(x.Item1, x.Item2)))));
        }
        await using (var connection = new NpgsqlConnection(db.ConnectionString))
        {
            await connection.OpenAsync();
            foreach (var insert in rows) await insert(connection);
        }

        foreach (var (ws, key) in new[] { (ws1, key1), (ws2, key2) })
        {
            var want = good.Where(g => g.Workspace == ws).Select(g => g.Generation).ToList();
            await Eventually.True(() => want.All(postHog.EventsFor(key).Select(SpanId).ToHashSet().Contains),
                $"{ws}: the good rows behind the poison rows are delivered");
            // Acceptance order is kept for what is delivered.
            Assert.Equal(want, postHog.EventsFor(key).Select(SpanId).Where(id => id.StartsWith("good-", StringComparison.Ordinal)));
        }
        await Eventually.Value(() => db.ScalarAsync<long>($"SELECT count(*) FROM broadcast_ingest_journal WHERE owner = '{IngestJournal.SetAsideOwner}'"),
            n => n == 2, "both poison rows are set aside (kept for inspection)");
        await Eventually.Value(() => db.ScalarAsync<long>($"SELECT count(*) FROM broadcast_ingest_journal WHERE owner <> '{IngestJournal.SetAsideOwner}'"),
            n => n == 0, "every good row is ingested and deleted");
    }

    /// <summary>A row as a silo that is gone (and unknown to this one) left it.</summary>
    private static Func<NpgsqlConnection, Task> Insert(DateTimeOffset receivedAt, string body) => async connection =>
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO broadcast_ingest_journal (id, owner, created_at, received_at, body) VALUES ($1, $2, $3, $3, $4)", connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.CreateVersion7() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "127.0.0.1:1:1" });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = receivedAt });
        command.Parameters.Add(new NpgsqlParameter { Value = Encoding.UTF8.GetBytes(body), NpgsqlDbType = NpgsqlDbType.Bytea });
        await command.ExecuteNonQueryAsync();
    };

    private static string SpanId(System.Text.Json.Nodes.JsonObject e) => e["properties"]!["$ai_span_id"]!.GetValue<string>();
}
