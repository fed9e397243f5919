using BroadcastGrains.Host.Auth;

namespace BroadcastGrains.Tests.Auth;

public class TokenRegistryTests
{
    private static TokenRegistry Registry(string[] admin, string[] ingest) =>
        new(new AuthOptions { AdminTokens = admin, IngestTokens = ingest });

    [Fact]
    public void Admin_token_grants_admin_scope()
    {
        var registry = Registry(["admin-1", "admin-2"], ["ingest-1"]);
        Assert.Equal([Scopes.Admin], registry.ScopesOf("admin-1"));
        Assert.Equal([Scopes.Admin], registry.ScopesOf("admin-2"));
    }

    [Fact]
    public void Ingest_token_grants_ingest_scope()
    {
        var registry = Registry(["admin-1"], ["ingest-1", "ingest-2"]);
        Assert.Equal([Scopes.Ingest], registry.ScopesOf("ingest-1"));
        Assert.Equal([Scopes.Ingest], registry.ScopesOf("ingest-2"));
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("admin-")]
    [InlineData("admin-1 ")]
    [InlineData("ADMIN-1")]
    [InlineData("")]
    public void Unknown_token_grants_nothing(string token)
    {
        Assert.Empty(Registry(["admin-1"], ["ingest-1"]).ScopesOf(token));
    }

    [Fact]
    public void Token_in_both_lists_grants_both_scopes()
    {
        var scopes = Registry(["shared", "admin-1"], ["ingest-1", "shared"]).ScopesOf("shared");
        Assert.Equal(2, scopes.Count);
        Assert.Contains(Scopes.Admin, scopes);
        Assert.Contains(Scopes.Ingest, scopes);
    }

    [Fact]
    public void Token_listed_twice_grants_its_scope_once()
    {
        Assert.Equal([Scopes.Admin], Registry(["a", "a"], []).ScopesOf("a"));
    }

    [Fact]
    public void Empty_tokens_are_ignored()
    {
        var registry = Registry(["", "admin-1"], ["", "ingest-1"]);
        Assert.Empty(registry.ScopesOf(""));
        Assert.Equal([Scopes.Admin], registry.ScopesOf("admin-1"));
        Assert.Equal([Scopes.Ingest], registry.ScopesOf("ingest-1"));
    }

    [Fact]
    public void No_tokens_configured_grants_nothing()
    {
        var registry = Registry([], []);
        Assert.Empty(registry.ScopesOf("dev-admin-token"));
        Assert.Empty(registry.ScopesOf(""));
    }

    [Fact]
    public void Non_ascii_tokens_are_compared_exactly()
    {
        var registry = Registry(["clé-ädmin"], []);
        Assert.Equal([Scopes.Admin], registry.ScopesOf("clé-ädmin"));
        Assert.Empty(registry.ScopesOf("cle-admin"));
    }

    [Fact]
    public void Scope_names_are_admin_and_ingest()
    {
        Assert.Equal("admin", Scopes.Admin);
        Assert.Equal("ingest", Scopes.Ingest);
    }
}
