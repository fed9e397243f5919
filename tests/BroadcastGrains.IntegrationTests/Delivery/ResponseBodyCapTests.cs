using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Delivery;

/// <summary>CONTRACT §8.2: a PostHog response body is never read past 64 KB.</summary>
public sealed class ResponseBodyCapTests
{
    [Fact]
    public async Task An_endless_200_body_counts_as_delivered_and_the_client_stops_reading_it()
    {
        await using var postHog = EndlessBodyPostHog.Start();
        await using var host = await TestHost.StartAsync();
        var admin = host.Admin();
        var ws = Ids.Workspace();
        Assert.Equal(200, (await admin.Put($"/v1/workspaces/{ws}/broadcast", """{"enabled": true}""")).Status);
        // Test Connection reads /flags/: 200 with an endless body still passes.
        var created = await admin.Post($"/v1/workspaces/{ws}/destinations",
            $$$"""{"type":"posthog","config":{"api_key":"{{{Ids.ApiKey()}}}","endpoint":"{{{postHog.Endpoint}}}"}}""");
        Assert.True(created.Status == 201, created.ToString());
        var dst = created.Json["id"]!.GetValue<string>();

        var r = await host.Ingest().Post("/v1/traces", TraceJson.Array(Enumerable.Range(0, 3).Select(i => TraceJson.Minimal(ws, $"endless-{i}"))));
        Assert.Equal(202, r.Status);

        var view = await Eventually.Value(() => admin.Get($"/v1/workspaces/{ws}/destinations/{dst}"),
            v => v.Json["delivery"]!["delivered"]!.GetValue<long>() == 3, "three events booked as delivered", TimeSpan.FromSeconds(30));
        Assert.Equal(0, view.Json["delivery"]!["pending"]!.GetValue<long>());
        Assert.Equal(3, postHog.BatchEvents);
        Assert.Equal(1, postHog.BatchRequests); // delivered once: the endless answer was not taken for a failure

        // Both answers (the Test Connection's and the batch's) were abandoned by the client, not read to the end.
        await Eventually.True(() => postHog.Abandoned == 2, "the client closed both endless answers", TimeSpan.FromSeconds(30));
        // What the kernel took from the server is what the client drained (≤ 64 KiB each) plus what the loopback
        // socket buffers held; nowhere near an endless body.
        Assert.InRange(postHog.BodyBytesSent, 0, 32L * 1024 * 1024);
    }
}
