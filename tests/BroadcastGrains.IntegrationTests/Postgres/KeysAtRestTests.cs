using System.Text;
using System.Text.RegularExpressions;
using BroadcastGrains.IntegrationTests.Support;
using Npgsql;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>PostHog keys in a database dump, across silo processes that share one key ring (CONTRACT §8.3).</summary>
public sealed partial class KeysAtRestTests
{
    [Fact]
    public async Task A_dump_holds_no_key_another_silo_decrypts_it_and_a_plain_key_is_encrypted_on_first_load()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();

        string ws, id, key;
        await using (var first = await SiloProcess.StartAsync("keys-a", db.ConnectionString, clustered: false))
        {
            (ws, id, key) = await first.NewTenantAsync(postHog);
            Assert.False(PgDump.Holds(await PgDump.TextAsync(db.ConnectionString), "phc_"));
            Assert.Contains("dp1:", await StateTextAsync(db));
        }

        // A second process on the same database: only the shared ring can give it the key.
        await using (var second = await SiloProcess.StartAsync("keys-b", db.ConnectionString, clustered: false))
        {
            await IngestAndExpectAsync(second, postHog, ws, key, "after-restart");
        }

        // A key saved before keys were encrypted: the state row holds it in the clear.
        var state = await db.ScalarAsync<string>("SELECT convert_from(payload, 'UTF8') FROM orleans_grain_state WHERE convert_from(payload, 'UTF8') LIKE '%dp1:%'");
        var sealedKey = SealedKey().Match(state).Value;
        Assert.NotEmpty(sealedKey);
        await ExecuteAsync(db, "UPDATE orleans_grain_state SET payload = $1 WHERE convert_from(payload, 'UTF8') LIKE '%dp1:%'",
            Encoding.UTF8.GetBytes(state.Replace(sealedKey, key)));
        Assert.True(PgDump.Holds(await PgDump.TextAsync(db.ConnectionString), key));

        await using (var third = await SiloProcess.StartAsync("keys-c", db.ConnectionString, clustered: false))
        {
            Assert.Equal(200, (await third.Admin().Get($"/v1/workspaces/{ws}/destinations/{id}")).Status);
            await Eventually.Value(() => StateTextAsync(db), s => !s.Contains("phc_") && s.Contains("dp1:"), "the plain key stored encrypted on first load");
            await IngestAndExpectAsync(third, postHog, ws, key, "after-upgrade");
        }
        Assert.False(PgDump.Holds(await PgDump.TextAsync(db.ConnectionString), "phc_"));
    }

    private static async Task IngestAndExpectAsync(SiloProcess silo, FakePostHog postHog, string ws, string key, string generation)
    {
        var accepted = await silo.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, generation));
        Assert.Equal(202, accepted.Status);
        await Eventually.True(
            () => postHog.Batches.Any(b => b.ApiKey == key && b.Events.Any(e => e["properties"]!["$ai_span_id"]!.GetValue<string>() == generation)),
            $"{generation} delivered with the tenant's key");
    }

    private static async Task<string> StateTextAsync(TestDatabase db) =>
        await db.ScalarAsync<string>("SELECT coalesce(string_agg(convert_from(payload, 'UTF8'), E'\\n'), '') FROM orleans_grain_state");

    private static async Task ExecuteAsync(TestDatabase db, string sql, byte[] parameter)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue(parameter);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    [GeneratedRegex("dp1:[A-Za-z0-9_-]+")]
    private static partial Regex SealedKey();
}
