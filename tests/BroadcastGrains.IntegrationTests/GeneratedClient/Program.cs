// A client program written against the client Kiota generates from /openapi/v1.json, as a user of the API would
// write it: create a destination, read it, list it, delete it, and see the 404 after. It prints one line per
// step; GeneratedClientTests checks them. Arguments: base URL, admin token, workspace, PostHog key, PostHog endpoint.
using System.Globalization;
using BroadcastGrains.Client;
using BroadcastGrains.Client.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

var (baseUrl, token, workspace, apiKey, endpoint) = (args[0], args[1], args[2], args[3], args[4]);
using var adapter = new HttpClientRequestAdapter(new BaseBearerTokenAuthenticationProvider(new StaticToken(token))) { BaseUrl = baseUrl };
var client = new BroadcastClient(adapter);
var destinations = client.V1.Workspaces[workspace].Destinations;

var created = await destinations.PostAsync(new DestinationRequest
{
    Type = "posthog",
    Name = "Generated client",
    Config = new DestinationConfigBody { ApiKey = apiKey, Endpoint = endpoint },
    SamplingRate = 0.5,
}) ?? throw new InvalidOperationException("no body in the 201");
Console.WriteLine($"created {created.Id}");

var read = await destinations[created.Id!].GetAsync() ?? throw new InvalidOperationException("no body in the 200");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"read {read.Id} name={read.Name} key={read.Config?.ApiKey} endpoint={read.Config?.Endpoint} sampling={read.SamplingRate} state={read.Delivery?.State}"));

var listed = await destinations.GetAsync();
Console.WriteLine($"listed {string.Join(",", listed?.Destinations?.Select(d => d.Id) ?? [])}");

await destinations[created.Id!].DeleteAsync();
Console.WriteLine($"deleted {created.Id}");

try
{
    await destinations[created.Id!].GetAsync();
    Console.WriteLine("still there");
}
catch (ProblemDetails problem)
{
    Console.WriteLine($"gone {problem.ResponseStatusCode} {problem.Title}");
}

sealed class StaticToken(string token) : IAccessTokenProvider
{
    public AllowedHostsValidator AllowedHostsValidator { get; } = new();

    public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(token);
}
