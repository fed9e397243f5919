using BroadcastGrains.IntegrationTests.Support;
using Xunit.Abstractions;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>
/// Membership with the host's own (production) clocks, not the shortened ones other multi-silo tests use:
/// what an operator gets when a container is killed and started again elsewhere.
/// </summary>
public sealed class ReplacedSiloTests(ITestOutputHelper output)
{
    /// <summary>The promise in the README: a replacement silo is ready within this long of its start.</summary>
    private static readonly TimeSpan ReplacementReadyBound = TimeSpan.FromSeconds(30);

    /// <summary>Silo membership status in orleans_cluster_silo (Orleans' SiloStatus).</summary>
    private const int Active = 3;
    private const int Dead = 6;

    /// <summary>Membership logs (votes, declarations, the join check) land in the process output on failure.</summary>
    private static readonly Dictionary<string, string> MembershipLogs = new()
    {
        ["Logging__LogLevel__Orleans.Runtime.MembershipService"] = "Information",
    };

    [Fact]
    public async Task A_silo_replacing_the_only_silo_after_a_kill_is_ready_within_the_bound_and_delivers()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        SiloProcess? original = null;
        SiloProcess? replacement = null;
        try
        {
            original = await SiloProcess.StartAsync("original", db.ConnectionString, clustered: true, MembershipLogs, productionMembership: true);
            var (ws, _, key) = await original.NewTenantAsync(postHog);
            original.Kill();
            Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM orleans_cluster_silo WHERE status = {Active}"));

            // New HTTP, silo and gateway ports: a container restarted elsewhere. StartAsync fails if the process
            // exits before it is ready (the crash the initial connectivity check used to cause) or if it is not
            // ready within the bound.
            var started = DateTime.UtcNow;
            replacement = await SiloProcess.StartAsync("replacement", db.ConnectionString, clustered: true, MembershipLogs,
                productionMembership: true, readyWithin: ReplacementReadyBound);
            output.WriteLine($"replacement ready {(DateTime.UtcNow - started).TotalSeconds:0.0} s after its start");

            // It joined because membership declared the killed silo dead, not by ignoring it.
            Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM orleans_cluster_silo WHERE status = {Dead}"));
            Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM orleans_cluster_silo WHERE status = {Active}"));

            var generation = Ids.Generation();
            var accepted = await replacement.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, generation));
            Assert.Equal(202, accepted.Status);
            await Eventually.True(() => postHog.EventsFor(key).Any(e => e["properties"]!["$ai_span_id"]!.GetValue<string>() == generation),
                "the record ingested on the replacement delivered");
        }
        finally
        {
            if (replacement is not null) await replacement.DisposeAsync();
            if (original is not null) await original.DisposeAsync();
        }
    }

    /// <summary>
    /// Each replacement leaves its predecessor's row Dead; Orleans prunes such rows (beyond
    /// <c>MaxDefunctSiloEntries</c>, or after <c>DefunctSiloExpiration</c>, never younger than
    /// <c>DefunctSiloMinimumRetention</c>) through our guarded single-row delete in db/002. Retention set to zero
    /// here so the pruning happens now: the row goes, so the table stays bounded. The two silos' sessions run in
    /// different, non-UTC time zones: the delete matches the row by its exact timestamps, which must not shift.
    /// </summary>
    [Fact]
    public async Task The_dead_row_a_replacement_leaves_behind_is_pruned_by_membership_cleanup()
    {
        var noRetention = new Dictionary<string, string>(MembershipLogs)
        {
            ["Orleans__Membership__DefunctSiloMinimumRetention"] = "00:00:00",
            ["Orleans__Membership__DefunctSiloExpiration"] = "00:00:00",
        };
        await using var db = await TestDatabase.CreateAsync();
        SiloProcess? original = null;
        SiloProcess? replacement = null;
        try
        {
            original = await SiloProcess.StartAsync("pruned", db.ConnectionString + ";Timezone=Asia/Tokyo", clustered: true, noRetention, productionMembership: true);
            var originalPort = original.SiloPort;
            original.Kill();
            replacement = await SiloProcess.StartAsync("pruner", db.ConnectionString + ";Timezone=America/New_York", clustered: true, noRetention,
                productionMembership: true, readyWithin: ReplacementReadyBound);

            await Eventually.Value(() => db.ScalarAsync<long>($"SELECT count(*) FROM orleans_cluster_silo WHERE port = {originalPort}"),
                n => n == 0, "the killed silo's dead row pruned");
            Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM orleans_cluster_silo WHERE status = {Active}"));
        }
        finally
        {
            if (replacement is not null) await replacement.DisposeAsync();
            if (original is not null) await original.DisposeAsync();
        }
    }

    /// <summary>
    /// The other side of the trade-off: faster clocks must still let a real cluster notice a dead member (and only
    /// that one) with the production settings.
    /// </summary>
    [Fact]
    public async Task A_two_silo_cluster_declares_a_killed_member_dead_and_keeps_the_other()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var postHog = await FakePostHog.StartAsync();
        SiloProcess? survivor = null;
        SiloProcess? victim = null;
        try
        {
            survivor = await SiloProcess.StartAsync("survivor", db.ConnectionString, clustered: true, MembershipLogs, productionMembership: true);
            victim = await SiloProcess.StartAsync("victim", db.ConnectionString, clustered: true, MembershipLogs, productionMembership: true);
            await Eventually.Value(() => db.ScalarAsync<long>($"SELECT count(*) FROM orleans_cluster_silo WHERE status = {Active}"),
                n => n == 2, "two active silos");
            var victimPort = victim.SiloPort;

            victim.Kill();
            var killed = DateTime.UtcNow;
            // A killed process's connections drop, so three failed probes suffice (seconds); a hung one with an open
            // connection would wait out MaxProbeTimeout x NumMissedProbesLimit (24 s). The bound is a failure, not a wait.
            await Eventually.Value(() => db.ScalarAsync<long>($"SELECT count(*) FROM orleans_cluster_silo WHERE status = {Dead} AND port = {victimPort}"),
                n => n == 1, "the killed silo declared dead", TimeSpan.FromSeconds(60));
            output.WriteLine($"killed silo declared dead {(DateTime.UtcNow - killed).TotalSeconds:0.0} s after the kill");
            Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM orleans_cluster_silo WHERE status = {Active}"));

            // The survivor serves on: a tenant created and fed through it is delivered.
            var (ws, _, key) = await survivor.NewTenantAsync(postHog);
            var generation = Ids.Generation();
            Assert.Equal(202, (await survivor.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, generation))).Status);
            await Eventually.True(() => postHog.EventsFor(key).Count == 1, "the survivor delivers");
        }
        finally
        {
            if (victim is not null) await victim.DisposeAsync();
            if (survivor is not null) await survivor.DisposeAsync();
        }
    }

}
