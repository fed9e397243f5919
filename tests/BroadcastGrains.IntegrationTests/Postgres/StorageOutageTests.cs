using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Postgres;

/// <summary>
/// CONTRACT §8.1: PostgreSQL stopped and started again while traces keep coming. Ingest answers only 202 or 503
/// (with Retry-After and problem+json), never 500; /readyz is 503 while the database is down; every request that
/// was answered 202 is delivered once it is back. The database is a private server (the shared one must stay up).
/// </summary>
public sealed class StorageOutageTests
{
    private const int Tenants = 3;
    private const int RecordsPerRequest = 6;

    [Theory]
    [InlineData(true)]  // journal: the request's row is the commit that fails
    [InlineData(false)] // outbox rows: the append inside each destination grain fails, and the failure crosses the grain call
    public async Task A_database_outage_is_503_never_500_and_every_202_is_delivered(bool journal)
    {
        await using var pg = await RestartablePostgres.StartAsync();
        await using var postHog = await FakePostHog.StartAsync();
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Broadcast:Storage"] = "Postgres",
            ["ConnectionStrings:Postgres"] = pg.ConnectionString("broadcast"),
            ["Broadcast:Journal:Enabled"] = journal ? "true" : "false",
        });
        var tenants = new List<(string Workspace, string Key)>();
        var destinations = new List<string>();
        for (var i = 0; i < Tenants; i++)
        {
            var (ws, id, key) = await host.NewWorkspaceWithDestination(postHog);
            tenants.Add((ws, key));
            destinations.Add($"/v1/workspaces/{ws}/destinations/{id}");
        }

        var answers = new ConcurrentQueue<Answer>();
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, 2).Select(s => SendUntilStoppedAsync(host.BaseAddress, tenants, $"s{s}", answers, stop.Token)).ToArray();
        try
        {
            await Eventually.True(() => Count(answers, 202) >= 10, "traces accepted before the outage");

            await pg.StopAsync();
            var refusedBefore = Count(answers, 503);
            await Eventually.Value(() => host.Anonymous().Get("/readyz"), r => r.Status == 503, "/readyz is 503 while PostgreSQL is down");
            await Eventually.True(() => Count(answers, 503) >= refusedBefore + 5, "ingest answers 503 while PostgreSQL is down");
            // The admin API cannot save either: that is a 503 to retry too, not a 500.
            var patch = await SendAsync(host.BaseAddress, TestHost.AdminToken, HttpMethod.Patch, destinations[0], """{"name": "renamed during the outage"}""");
            Assert.True(patch.Status == 503, $"PATCH while PostgreSQL is down: {patch.Status} {patch.Body}");
            Assert.True(patch.RetryAfter is > 0, "PATCH 503 carries Retry-After");
            Assert.Equal("application/problem+json", patch.ContentType);

            await pg.StartAgainAsync();
            var acceptedAtRestart = Count(answers, 202);
            await Eventually.True(() => Count(answers, 202) >= acceptedAtRestart + 10, "traces accepted again after the restart", TimeSpan.FromSeconds(60));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(senders);
        }

        var unexpected = answers.Where(a => a.Status is not (202 or 503)).ToList();
        Assert.True(unexpected.Count == 0, "only 202 and 503, but: " + string.Join(" | ", unexpected.Take(3).Select(a => $"{a.Status} {a.Body}")));
        foreach (var refused in answers.Where(a => a.Status == 503))
        {
            Assert.True(refused.RetryAfter is > 0, $"503 without Retry-After: {refused.Body}");
            Assert.Equal("application/problem+json", refused.ContentType);
        }
        await Eventually.Value(() => host.Anonymous().Get("/readyz"), r => r.Status == 200, "/readyz is 200 again", TimeSpan.FromSeconds(60));

        var accepted = answers.Where(a => a.Status == 202).SelectMany(a => a.Records).ToList();
        foreach (var (ws, key) in tenants)
        {
            var want = accepted.Where(r => r.Workspace == ws).Select(r => r.Generation).ToHashSet();
            await Eventually.True(() => want.IsSubsetOf(postHog.EventsFor(key).Select(SpanId)),
                $"{ws}: all {want.Count} events answered 202 delivered after the restart", TimeSpan.FromSeconds(60));
        }
    }

    private sealed record Answer(int Status, string? ContentType, int? RetryAfter, string Body, List<(string Workspace, string Generation)> Records);

    private static async Task<Answer> SendAsync(Uri baseAddress, string token, HttpMethod method, string path, string json)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? (int?)delta.TotalSeconds : null;
        return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, retryAfter, await response.Content.ReadAsStringAsync(), []);
    }

    private static int Count(ConcurrentQueue<Answer> answers, int status) => answers.Count(a => a.Status == status);

    private static async Task SendUntilStoppedAsync(Uri baseAddress, List<(string Workspace, string Key)> tenants, string sender,
        ConcurrentQueue<Answer> answers, CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestHost.IngestToken);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var records = Enumerable.Range(0, RecordsPerRequest)
                .Select(i => (tenants[i % tenants.Count].Workspace, $"{sender}-{n:D5}-{i}")).ToList();
            var body = TraceJson.Array(records.Select(r => TraceJson.Minimal(r.Workspace, r.Item2)));
            using var response = await http.PostAsync("/v1/traces", new StringContent(body, Encoding.UTF8, "application/json"), CancellationToken.None);
            var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
            var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? (int?)delta.TotalSeconds : null;
            answers.Enqueue(new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, retryAfter, text, records));
            try
            {
                // Pacing of the load (a client that sends a request every 20 ms), not synchronisation.
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static string SpanId(System.Text.Json.Nodes.JsonObject e) => e["properties"]!["$ai_span_id"]!.GetValue<string>();
}
