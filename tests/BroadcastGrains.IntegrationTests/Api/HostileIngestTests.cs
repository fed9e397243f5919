using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Api;

/// <summary>Text the JSON reader lets through but PostHog cannot take is a 400 naming the field, through the real API.</summary>
[Collection(ApiCollection.Name)]
public sealed class HostileIngestTests(ApiFixture fixture)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private async Task<(int Status, string? ContentType, JsonNode Body)> PostBytes(byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Host.BaseAddress, "/v1/traces"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestHost.IngestToken);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, JsonNode.Parse(text)!);
    }

    private static string Record(string ws, string request) =>
        $$$"""{"workspace_id":"{{{ws}}}","generation_id":"{{{Ids.Generation()}}}","request":{"model":"m"{{{request}}}}}""";

    [Fact]
    public async Task A_user_cut_inside_an_emoji_is_400_naming_request_user()
    {
        var (ws, _, _) = await fixture.NewWorkspaceWithDestination();
        var (status, type, body) = await PostBytes(Encoding.UTF8.GetBytes(Record(ws, ""","user":"user_\ud83d" """)));
        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", type);
        var errors = body["errors"]!.AsObject();
        Assert.Equal(["request.user"], errors.Select(e => e.Key));
        Assert.Contains(@"\ud83d", errors["request.user"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_lone_surrogate_in_trace_metadata_is_400_naming_request_trace_feature()
    {
        var (ws, _, _) = await fixture.NewWorkspaceWithDestination();
        var good = Record(ws, "");
        var bad = Record(ws, ""","trace":{"feature":"shop\udc00ping"}""");
        var (status, type, body) = await PostBytes(Encoding.UTF8.GetBytes($"[{good},{bad}]"));
        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", type);
        Assert.Equal(["[1].request.trace.feature"], body["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Invalid_utf8_in_a_message_is_400_naming_the_message_content()
    {
        var (ws, _, _) = await fixture.NewWorkspaceWithDestination();
        var json = Record(ws, ""","messages":[{"role":"user","content":"caf§"}]""");
        var at = json.IndexOf('§');
        // "é" cut after its first byte, as a byte-counting truncation leaves it.
        byte[] bytes = [.. Encoding.UTF8.GetBytes(json[..at]), 0xC3, .. Encoding.UTF8.GetBytes(json[(at + 1)..])];
        var (status, type, body) = await PostBytes(bytes);
        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", type);
        Assert.Equal(["request.messages[0].content"], body["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task A_number_beyond_a_double_in_trace_metadata_is_400_naming_it()
    {
        var (ws, _, _) = await fixture.NewWorkspaceWithDestination();
        var (status, _, body) = await PostBytes(Encoding.UTF8.GetBytes(Record(ws, ""","trace":{"score":1e400}""")));
        Assert.Equal(400, status);
        Assert.Equal(["request.trace.score"], body["errors"]!.AsObject().Select(e => e.Key));
    }
}
