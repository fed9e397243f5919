using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>
/// CONTRACT §8.4 across silos: two silo processes of one cluster on PostgreSQL (shared key ring, one workspace grain).
/// A settings token made on one silo works on the other, and a revocation holds on both.
/// </summary>
public sealed class SettingsSessionClusterTests
{
    [Fact]
    public async Task A_token_made_on_one_silo_works_on_another_and_a_revocation_holds_on_both()
    {
        await using var db = await TestDatabase.CreateAsync();
        var silos = new List<SiloProcess>();
        try
        {
            for (var i = 0; i < 2; i++) silos.Add(await SiloProcess.StartAsync($"settings{i}", db.ConnectionString, clustered: true));
            await Eventually.Value(() => db.ScalarAsync<long>("SELECT count(*) FROM orleans_cluster_silo WHERE status = 3"), n => n == 2, "two active silos");
            var (a, b) = (silos[0], silos[1]);
            var ws = Ids.Workspace();
            var path = $"/v1/workspaces/{ws}/broadcast";

            var first = await Session(a, ws);
            Assert.Equal(200, (await new ApiClient(b.BaseAddress, first).Get(path)).Status);
            Assert.Equal(200, (await new ApiClient(a.BaseAddress, first).Get(path)).Status);
            Assert.Equal(403, (await new ApiClient(b.BaseAddress, first).Get($"/v1/workspaces/{Ids.Workspace()}/broadcast")).Status);

            // Revoked through b: b refuses at once; a has the generation cached and refuses within its bound (2 s).
            Assert.Equal(204, (await b.Admin().Delete($"/v1/workspaces/{ws}/settings-sessions")).Status);
            Assert.Equal(401, (await new ApiClient(b.BaseAddress, first).Get(path)).Status);

            // A token made after the revocation works at once on a, even though a's cache still holds the old generation.
            var second = await Session(b, ws);
            Assert.Equal(200, (await new ApiClient(a.BaseAddress, second).Get(path)).Status);
            await Eventually.Value(async () => (await new ApiClient(a.BaseAddress, first).Get(path)).Status, s => s == 401,
                "the revoked token refused on the other silo", TimeSpan.FromSeconds(15));
            Assert.Equal(200, (await new ApiClient(b.BaseAddress, second).Get(path)).Status);

            // What the processes logged holds neither token.
            Assert.All(silos, s => Assert.DoesNotContain(first[4..30], s.Output));
            Assert.All(silos, s => Assert.DoesNotContain(second[4..30], s.Output));
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }

    private static async Task<string> Session(SiloProcess silo, string ws)
    {
        var r = await silo.Admin().Post($"/v1/workspaces/{ws}/settings-sessions", """{"ttl_seconds": 600}""");
        Assert.True(r.Status == 201, r.ToString());
        return r.Json["token"]!.GetValue<string>();
    }
}
