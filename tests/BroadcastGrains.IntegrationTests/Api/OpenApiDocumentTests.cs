using System.Text.Json.Nodes;
using BroadcastGrains.IntegrationTests.Support;

namespace BroadcastGrains.IntegrationTests.Api;

/// <summary>CONTRACT §8.5: /openapi/v1.json describes every /v1 operation and nothing else, and /docs renders it.</summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiDocumentTests(ApiFixture fixture)
{
    private static readonly string[] Methods = ["get", "put", "post", "patch", "delete"];

    private async Task<JsonObject> Document()
    {
        var r = await fixture.Host.Anonymous().Get("/openapi/v1.json");
        Assert.Equal(200, r.Status);
        return r.Json.AsObject();
    }

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonObject document) =>
        from path in document["paths"]!.AsObject()
        from method in Methods
        where path.Value![method] is JsonObject
        select (path.Key, method, path.Value![method]!.AsObject());

    [Fact]
    public async Task Describes_the_v1_operations_and_nothing_else()
    {
        var document = await Document();
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.All(paths, p => Assert.StartsWith("/v1/", p));
        Assert.DoesNotContain(paths, p => p.Contains("dashboard", StringComparison.OrdinalIgnoreCase));

        var operations = Operations(document).Select(o => $"{o.Method.ToUpperInvariant()} {o.Path}").ToHashSet();
        string[] expected =
        [
            "GET /v1/workspaces/{ws}/broadcast", "PUT /v1/workspaces/{ws}/broadcast",
            "GET /v1/workspaces/{ws}/destinations", "POST /v1/workspaces/{ws}/destinations",
            "POST /v1/workspaces/{ws}/destinations/test",
            "GET /v1/workspaces/{ws}/destinations/{id}", "PATCH /v1/workspaces/{ws}/destinations/{id}",
            "DELETE /v1/workspaces/{ws}/destinations/{id}",
            "GET /v1/workspaces/{ws}/destinations/{id}/dead-letters",
            "POST /v1/workspaces/{ws}/destinations/{id}/dead-letters/replay",
            "POST /v1/workspaces/{ws}/destinations/{id}/test-event",
            "POST /v1/workspaces/{ws}/settings-sessions", "DELETE /v1/workspaces/{ws}/settings-sessions",
            "POST /v1/traces",
        ];
        Assert.Equal(expected.Order(), operations.Order());

        var ids = Operations(document).Select(o => o.Operation["operationId"]?.GetValue<string>()).ToList();
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(id)));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task Every_operation_needs_the_bearer_scheme_and_says_so()
    {
        var document = await Document();
        var scheme = document["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        // CONTRACT §8.4: the scheme's text says what a settings token opens.
        Assert.Contains("bgs_", scheme["description"]!.GetValue<string>());

        Assert.All(Operations(document), o =>
        {
            var requirement = Assert.Single(o.Operation["security"]!.AsArray())!.AsObject();
            Assert.True(requirement.ContainsKey("Bearer"), $"{o.Method} {o.Path}");
            Assert.NotNull(o.Operation["responses"]!["401"]);
            Assert.NotNull(o.Operation["responses"]!["403"]);
        });
    }

    [Fact]
    public async Task Every_response_has_a_schema_and_problems_are_problem_json()
    {
        var document = await Document();
        Assert.All(Operations(document), o =>
        {
            var where = $"{o.Method} {o.Path}";
            var responses = o.Operation["responses"]!.AsObject();
            Assert.Contains(responses, r => r.Key.StartsWith('2'));
            Assert.True(responses.ContainsKey("400"), where);
            Assert.True(responses.ContainsKey("503"), where);
            Assert.NotNull(responses["503"]!["headers"]?["Retry-After"]);
            foreach (var (status, response) in responses)
            {
                if (status == "204") continue;
                var content = response!["content"]?.AsObject();
                Assert.True(content is { Count: > 0 }, $"{where} {status} has no content");
                var mediaType = status.StartsWith('2') ? "application/json" : "application/problem+json";
                Assert.True(content!.ContainsKey(mediaType), $"{where} {status} is not {mediaType}");
                Assert.NotNull(content[mediaType]!["schema"]);
            }
            // A 400 names the bad fields: its schema has `errors`.
            var badRequest = Resolve(document, responses["400"]!["content"]!["application/problem+json"]!["schema"]!);
            Assert.NotNull(badRequest["properties"]!["errors"]);
        });

        var statuses = Operations(document).ToDictionary(o => $"{o.Method} {o.Path}", o => o.Operation["responses"]!.AsObject().Select(r => r.Key).ToHashSet());
        Assert.Superset(new HashSet<string> { "201", "409", "422" }, statuses["post /v1/workspaces/{ws}/destinations"]);
        Assert.Superset(new HashSet<string> { "200", "404", "409", "422" }, statuses["patch /v1/workspaces/{ws}/destinations/{id}"]);
        Assert.Superset(new HashSet<string> { "204", "404" }, statuses["delete /v1/workspaces/{ws}/destinations/{id}"]);
        Assert.Superset(new HashSet<string> { "202", "413" }, statuses["post /v1/traces"]);
        Assert.Superset(new HashSet<string> { "201", "400", "401", "403" }, statuses["post /v1/workspaces/{ws}/settings-sessions"]);
        Assert.Superset(new HashSet<string> { "204", "401", "403" }, statuses["delete /v1/workspaces/{ws}/settings-sessions"]);
        Assert.Superset(new HashSet<string> { "202", "404", "409" }, statuses["post /v1/workspaces/{ws}/destinations/{id}/test-event"]);
    }

    [Fact]
    public async Task Schemas_are_snake_case_and_the_trace_body_is_a_record_or_an_array()
    {
        var document = await Document();
        var destination = Resolve(document, document["paths"]!["/v1/workspaces/{ws}/destinations/{id}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!);
        var properties = destination["properties"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("privacy_mode", properties);
        Assert.Contains("sampling_rate", properties);
        Assert.Contains("created_at", properties);
        var delivery = Resolve(document, destination["properties"]!["delivery"]!);
        Assert.NotNull(delivery["properties"]!["oldest_pending_age_seconds"]);
        // Numbers are numbers: bodies are read strictly, so no "number or string" alternatives.
        Assert.Equal("number", Resolve(document, destination["properties"]!["sampling_rate"]!)["type"]!.GetValue<string>());

        var create = Resolve(document, document["paths"]!["/v1/workspaces/{ws}/destinations"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!);
        Assert.NotNull(Resolve(document, create["properties"]!["config"]!)["properties"]!["api_key"]);

        var traces = document["paths"]!["/v1/traces"]!["post"]!["requestBody"]!;
        var oneOf = traces["content"]!["application/json"]!["schema"]!["oneOf"]!.AsArray();
        Assert.Equal(2, oneOf.Count);
        var record = Resolve(document, oneOf[0]!);
        Assert.Equal("array", oneOf[1]!["type"]!.GetValue<string>());
        Assert.Equal(oneOf[0]!.ToJsonString(), oneOf[1]!["items"]!.ToJsonString());
        Assert.Superset(new HashSet<string> { "workspace_id", "generation_id", "request" },
            record["required"]!.AsArray().Select(n => n!.GetValue<string>()).ToHashSet());
        var request = Resolve(document, record["properties"]!["request"]!);
        Assert.NotNull(request["properties"]!["session_id"]);
    }

    [Fact]
    public async Task The_reference_page_is_served_from_this_host()
    {
        var page = await fixture.Host.Anonymous().Get("/docs");
        Assert.Equal(200, page.Status);
        Assert.Equal("text/html", page.ContentType);
        // Every script the page loads comes from this host (Scalar's bundle is embedded in its package).
        var scripts = System.Text.RegularExpressions.Regex.Matches(page.Body, "<script[^>]*src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        Assert.All(scripts, src => Assert.DoesNotMatch("^(https?:)?//", src));
        foreach (var src in scripts)
        {
            var script = await fixture.Host.Anonymous().Get(new Uri(new Uri(fixture.Host.BaseAddress, "/docs/"), src).PathAndQuery);
            Assert.Equal(200, script.Status);
        }
    }

    /// <summary>
    /// Follows a local <c>$ref</c> (<c>#/components/schemas/X</c>) to its schema, also through the
    /// <c>oneOf [null, X]</c> that OpenAPI 3.1 uses for a nullable reference.
    /// </summary>
    private static JsonNode Resolve(JsonObject document, JsonNode schema)
    {
        while (true)
        {
            if (schema["oneOf"] is JsonArray oneOf && oneOf.Where(s => s!["type"]?.ToString() != "null").ToList() is [var only])
                schema = only!;
            else if (schema["$ref"]?.GetValue<string>() is { } reference)
                schema = document["components"]!["schemas"]![reference["#/components/schemas/".Length..]]!;
            else
                return schema;
        }
    }
}
