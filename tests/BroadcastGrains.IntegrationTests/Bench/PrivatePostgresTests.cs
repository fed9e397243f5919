using BroadcastGrains.Bench.Run;
using Npgsql;

namespace BroadcastGrains.IntegrationTests.Bench;

/// <summary>Keeps the bench's own PostgreSQL (over the shared <see cref="PostgresServer"/>) working: it starts, serves and goes.</summary>
public sealed class PrivatePostgresTests
{
    [Fact]
    public async Task Starts_serves_a_database_and_stops_on_dispose()
    {
        string connectionString;
        await using (var pg = await PrivatePostgres.StartAsync(statementStats: false, CancellationToken.None))
        {
            Assert.StartsWith("postgres (PostgreSQL)", pg.Version);
            Assert.NotNull(pg.PostmasterPid);
            await pg.CreateDatabaseAsync("bench_check", CancellationToken.None);
            connectionString = pg.ConnectionString("bench_check") + ";Pooling=false";
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var fsync = new NpgsqlCommand("SHOW fsync", connection);
                Assert.Equal("on", await fsync.ExecuteScalarAsync()); // (c) measures committed writes as production pays them
            }
            await pg.SettleAsync("bench_check", CancellationToken.None);
        }

        await using var gone = new NpgsqlConnection(connectionString);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => gone.OpenAsync());
    }
}
