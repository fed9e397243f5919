using Npgsql;

namespace BroadcastGrains.Host.Health;

public sealed class PostgresStorageProbe(NpgsqlDataSource dataSource) : IStorageProbe
{
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return $"PostgreSQL is not reachable: {ex.Message}";
        }
    }
}
