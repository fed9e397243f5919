using System.Collections.Concurrent;
using System.Diagnostics;
using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Operations;

/// <summary>Spans of the ingest → grain → send path carry the tenant, for whatever exporter listens.</summary>
[Collection(ApiCollection.Name)]
public sealed class TracingTests(ApiFixture fixture)
{
    [Fact]
    public async Task Enqueue_and_send_spans_carry_the_workspace_and_destination()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "BroadcastGrains",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var (ws, dst, key) = await fixture.NewWorkspaceWithDestination();
        await fixture.Host.Ingest().Post("/v1/traces", TraceJson.Minimal(ws, "traced"));
        await Eventually.True(() => fixture.PostHog.EventsFor(key).Count == 1, "delivered");
        await Eventually.True(() => spans.Any(s => s.OperationName == "posthog.send" && Tag(s, "broadcast.workspace_id") == ws), "send span");

        var names = spans.Where(s => Tag(s, "broadcast.workspace_id") == ws).Select(s => s.OperationName).ToHashSet();
        Assert.Contains("workspace.ingest", names);
        Assert.Contains("destination.enqueue", names);
        Assert.Contains("posthog.send", names);
        var send = spans.First(s => s.OperationName == "posthog.send" && Tag(s, "broadcast.workspace_id") == ws);
        Assert.Equal(dst, Tag(send, "broadcast.destination_id"));
        Assert.Equal(ActivityKind.Client, send.Kind);
    }

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();
}
