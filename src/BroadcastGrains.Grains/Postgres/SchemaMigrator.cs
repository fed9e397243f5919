using Npgsql;

namespace BroadcastGrains.Grains.Postgres;

/// <summary>
/// Applies the embedded db/*.sql scripts in name order, one transaction each, under an advisory lock so that
/// silos starting together take turns. The scripts are idempotent, so applying them again changes nothing.
/// </summary>
public static class SchemaMigrator
{
    /// <summary>"BGDB": the advisory lock key shared by every migrator of this schema.</summary>
    public const long LockKey = 1111966786;

    public static IReadOnlyList<(string Name, string Sql)> Scripts()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("db/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return (n["db/".Length..], reader.ReadToEnd());
            })
            .ToList();
    }

    public static async Task<IReadOnlyList<string>> ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        var applied = new List<string>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_lock({LockKey})", connection))
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        try
        {
            foreach (var (name, sql) in Scripts())
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var command = new NpgsqlCommand(sql, connection, transaction))
                    await command.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                applied.Add(name);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
        return applied;
    }
}
