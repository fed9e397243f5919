using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace BroadcastGrains.IntegrationTests.Support;

/// <summary>A thin HTTP client for the API under test: raw JSON in, status + parsed JSON out.</summary>
public sealed class ApiClient(Uri baseAddress, string? token)
{
    private static readonly SocketsHttpHandler Handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(1) };
    private readonly HttpClient _http = new(Handler, disposeHandler: false) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };

    public Task<ApiResponse> Get(string path) => Send(HttpMethod.Get, path, null);
    public Task<ApiResponse> Post(string path, string json) => Send(HttpMethod.Post, path, json);
    public Task<ApiResponse> Put(string path, string json) => Send(HttpMethod.Put, path, json);
    public Task<ApiResponse> Patch(string path, string json) => Send(HttpMethod.Patch, path, json);
    public Task<ApiResponse> Delete(string path) => Send(HttpMethod.Delete, path, null);

    public async Task<ApiResponse> Send(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text,
            response.Headers.Location?.ToString(), response.Headers.RetryAfter?.Delta is { } retryAfter ? (int)retryAfter.TotalSeconds : null);
    }
}

public sealed record ApiResponse(int Status, string? ContentType, string Body, string? Location, int? RetryAfter = null)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("empty body");
    public override string ToString() => $"{Status} {ContentType} {Body}";
}
