using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Delivery;

/// <summary>Deadlines: Test Connection gives up after 10 s, a /batch/ send after Broadcast:Delivery:SendTimeout.</summary>
public sealed class TimeoutTests
{
    [Fact]
    public async Task Test_connection_times_out_after_10_seconds_and_says_so()
    {
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await TestHost.StartAsync();
        postHog.FlagsFault = _ => new FakeAnswer(200, Delay: TimeSpan.FromSeconds(13));
        var r = await host.Admin().Post($"/v1/workspaces/{Ids.Workspace()}/destinations/test",
            $$$"""{"type":"posthog","config":{"api_key":"{{{Ids.ApiKey()}}}","endpoint":"{{{postHog.Endpoint}}}"}}""");
        Assert.Equal(422, r.Status);
        Assert.Contains("timed out after 10 s", r.Json["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_send_that_hangs_past_the_deadline_is_retried_and_delivered_once()
    {
        await using var postHog = await FakePostHog.StartAsync();
        // 2 s, not less: on a loaded CI machine an ordinary loopback send can take over a second, and a spurious
        // second timeout would make the fake count the event twice (at-least-once), failing "delivered once".
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Broadcast:Delivery:SendTimeout"] = "00:00:02" });
        var (ws, dst, key) = await host.NewWorkspaceWithDestination(postHog);
        // Every request hangs (and is abandoned by us; PostHog never answers it, so it does not count as delivered)
        // until the test has seen the timeout recorded: a quick successful retry would otherwise clear last_error
        // before a poll on a loaded machine could see it.
        var hanging = 1;
        postHog.BatchFault = _ => Volatile.Read(ref hanging) == 1 ? new FakeAnswer(503, Delay: TimeSpan.FromSeconds(5)) : null;

        await host.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, "slow"));
        var failing = await Eventually.Value(() => host.Admin().Get($"/v1/workspaces/{ws}/destinations/{dst}"),
            v => v.Json["delivery"]!["last_error"]?.GetValue<string>() is { } e && e.Contains("timed out"), "timeout recorded");
        Assert.Equal("retrying", failing.Json["delivery"]!["state"]!.GetValue<string>());
        Volatile.Write(ref hanging, 0);
        await Eventually.True(() => postHog.EventsFor(key).Count == 1, "delivered on retry");
    }
}
