using Npgsql;

namespace BroadcastGrains.IntegrationTests.Support;

/// <summary>A real <c>pg_dump</c> of a test database, as someone holding a backup would read it.</summary>
public static class PgDump
{
    public static Task<string> TextAsync(string connectionString)
    {
        var c = new NpgsqlConnectionStringBuilder(connectionString);
        var pgDump = PostgresServer.TryFindBin() is { } bin ? Path.Combine(bin, "pg_dump") : "pg_dump";
        return CommandRunner.RunAsync(pgDump, ["-h", c.Host!, "-p", c.Port.ToString(), "-U", c.Username!, "-d", c.Database!, "--no-owner"],
            TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Whether the dump holds the text anywhere: as text, or inside a bytea column, which pg_dump writes as hex
    /// (grain state, outbox payloads and journal bodies are bytea).
    /// </summary>
    public static bool Holds(string dump, string text) =>
        dump.Contains(text, StringComparison.Ordinal)
        || dump.Contains(Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(text)), StringComparison.Ordinal);
}
