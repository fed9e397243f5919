using System.Diagnostics;
using Npgsql;

namespace BroadcastGrains.IntegrationTests.Support;

/// <summary>A real <c>pg_dump</c> of a test database, as someone holding a backup would read it.</summary>
public static class PgDump
{
    public static async Task<string> TextAsync(string connectionString)
    {
        var c = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(Executable(), ["-h", c.Host!, "-p", c.Port.ToString(), "-U", c.Username!, "-d", c.Database!, "--no-owner"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"pg_dump failed: {await errors}");
        return await output;
    }

    /// <summary>
    /// Whether the dump holds the text anywhere: as text, or inside a bytea column, which pg_dump writes as hex
    /// (grain state, outbox payloads and journal bodies are bytea).
    /// </summary>
    public static bool Holds(string dump, string text) =>
        dump.Contains(text, StringComparison.Ordinal)
        || dump.Contains(Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(text)), StringComparison.Ordinal);

    private static string Executable()
    {
        var found = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin", "pg_dump"))
                .Where(File.Exists)
                .OrderByDescending(p => p, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;
        return found ?? "pg_dump";
    }
}
