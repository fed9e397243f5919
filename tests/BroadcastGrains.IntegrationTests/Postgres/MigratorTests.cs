using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.IntegrationTests.Support;
using Npgsql;

namespace BroadcastGrains.IntegrationTests.Postgres;

public sealed class MigratorTests
{
    private const string SchemaFingerprint = """
        SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
            SELECT 'q:' || querykey || '=' || md5(querytext) AS x FROM orleansquery
            UNION ALL SELECT 't:' || table_name || '.' || column_name || ':' || data_type FROM information_schema.columns WHERE table_schema = 'public'
            UNION ALL SELECT 'i:' || indexname || ':' || indexdef FROM pg_indexes WHERE schemaname = 'public'
            UNION ALL SELECT 'f:' || proname || ':' || md5(prosrc) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
        ) parts
        """;

    [Fact]
    public async Task Applying_twice_changes_nothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var dataSource = NpgsqlDataSource.Create(db.ConnectionString);

        var first = await SchemaMigrator.ApplyAsync(dataSource);
        Assert.Equal(SchemaMigrator.Scripts().Select(s => s.Name), first);
        var before = await db.ScalarAsync<string>(SchemaFingerprint);
        var queries = await db.ScalarAsync<long>("SELECT count(*) FROM orleansquery");

        await SchemaMigrator.ApplyAsync(dataSource);
        Assert.Equal(before, await db.ScalarAsync<string>(SchemaFingerprint));
        Assert.Equal(queries, await db.ScalarAsync<long>("SELECT count(*) FROM orleansquery"));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM orleansquery WHERE querykey = 'CleanupDefunctSiloEntriesKey'"));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM information_schema.tables WHERE table_name = 'broadcast_outbox'"));
        // The outbox keys compare bytewise and short payloads stay inline (db/011, db/012).
        Assert.Equal(2L, await db.ScalarAsync<long>(
            "SELECT count(*) FROM information_schema.columns WHERE column_name = 'destination_key' AND table_name IN ('broadcast_outbox', 'broadcast_dead_letters') AND collation_name = 'C'"));
        Assert.Equal("toast_tuple_target=8160", await db.ScalarAsync<string>(
            "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'broadcast_outbox'"));
        // Journal bodies are lz4-compressed (db/013) on a server built with lz4, as Debian's is.
        Assert.Equal("l", await db.ScalarAsync<string>(
            "SELECT attcompression::text FROM pg_attribute WHERE attrelid = 'broadcast_ingest_journal'::regclass AND attname = 'body'"));
    }

    [Fact]
    public async Task Concurrent_migrators_take_turns()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var dataSource = NpgsqlDataSource.Create(db.ConnectionString);
        var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SchemaMigrator.ApplyAsync(dataSource)));
        Assert.All(runs, r => Assert.Equal(SchemaMigrator.Scripts().Count, r.Count));
    }
}
