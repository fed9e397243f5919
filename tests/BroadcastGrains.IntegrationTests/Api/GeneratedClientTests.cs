using System.Diagnostics;
using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Api;

/// <summary>
/// CONTRACT §8.5: a client generated from the live /openapi/v1.json works without hand edits. Kiota (the local
/// dotnet tool, `dotnet tool restore`) generates a C# client from the document the running host serves; a small
/// program written against that client (GeneratedClient/Program.cs) is built and run against the same host and
/// creates, reads, lists and deletes a destination.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class GeneratedClientTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_client_generated_from_the_document_creates_reads_and_deletes_a_destination()
    {
        var work = Directory.CreateTempSubdirectory("broadcastgrains-client-");
        try
        {
            var document = await fixture.Host.Anonymous().Get("/openapi/v1.json");
            Assert.Equal(200, document.Status);
            var documentPath = Path.Combine(work.FullName, "openapi.json");
            await File.WriteAllTextAsync(documentPath, document.Body);

            var repo = RepositoryRoot();
            await Run(repo, "dotnet", "tool", "run", "kiota", "generate",
                "--openapi", documentPath, "--language", "CSharp", "--output", Path.Combine(work.FullName, "Client"),
                "--class-name", "BroadcastClient", "--namespace-name", "BroadcastGrains.Client",
                "--serializer", "Microsoft.Kiota.Serialization.Json.JsonSerializationWriterFactory",
                "--deserializer", "Microsoft.Kiota.Serialization.Json.JsonParseNodeFactory",
                "--exclude-backward-compatible", "--clean-output", "--log-level", "Warning");

            var probeSource = Path.Combine(repo, "tests", "BroadcastGrains.IntegrationTests", "GeneratedClient");
            foreach (var file in new[] { "ClientProbe.csproj", "Program.cs" })
                File.Copy(Path.Combine(probeSource, file), Path.Combine(work.FullName, file));
            // Restored from the local package folder only (the test project restored these packages): no registry
            // is asked while tests run.
            await Run(work.FullName, "dotnet", "build", "-v", "q", "--nologo", "-o", Path.Combine(work.FullName, "out"),
                $"-p:RestoreSources={GlobalPackagesFolder()}");

            var ws = Ids.Workspace();
            var key = Ids.ApiKey();
            fixture.PostHog.AcceptKey(key);
            var output = await Run(work.FullName, "dotnet", Path.Combine(work.FullName, "out", "ClientProbe.dll"),
                fixture.Host.BaseAddress.ToString().TrimEnd('/'), TestHost.AdminToken, ws, key, fixture.PostHog.Endpoint);

            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var id = Assert.Single(lines, l => l.StartsWith("created ", StringComparison.Ordinal))["created ".Length..];
            Assert.StartsWith("dst_", id);
            Assert.Contains($"read {id} name=Generated client key={key[..6]}…{key[^4..]} endpoint={fixture.PostHog.Endpoint} sampling=0.5 state=healthy", lines);
            Assert.Contains($"listed {id}", lines);
            Assert.Contains($"deleted {id}", lines);
            Assert.Contains("gone 404 Not found", lines);
            // The host agrees: the destination the generated client deleted is gone.
            Assert.Equal(404, (await fixture.Host.Admin().Get($"/v1/workspaces/{ws}/destinations/{id}")).Status);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BroadcastGrains.sln"))) return dir.FullName;
        throw new InvalidOperationException("BroadcastGrains.sln not found above " + AppContext.BaseDirectory);
    }

    private static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Runs a command to its end (bounded: a hung tool fails the test) and returns its output; a non-zero exit fails the test with it.</summary>
    private static async Task<string> Run(string directory, string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // Kiota would otherwise look for a newer version of itself online and send telemetry.
        start.Environment["KIOTA_OFFLINE_ENABLED"] = "true";
        start.Environment["KIOTA_CLI_TELEMETRY_OPTOUT"] = "true";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{command} {string.Join(' ', arguments)} did not finish within 5 minutes");
        }
        var output = await stdout;
        if (process.ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"{command} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{output}\n{await stderr}");
        return output;
    }
}
