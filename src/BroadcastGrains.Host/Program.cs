using BroadcastGrains.Grains.Postgres;
using BroadcastGrains.Host.Composition;
using Npgsql;

// `migrate` applies db/*.sql to ConnectionStrings:Postgres and exits (the compose file's one-shot service).
if (args.Length > 0 && args[0] == "migrate")
{
    var configuration = new ConfigurationBuilder()
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .AddCommandLine(args[1..])
        .Build();
    var connectionString = configuration.GetConnectionString("Postgres")
        ?? throw new InvalidOperationException("ConnectionStrings:Postgres is required for migrate.");
    await using var dataSource = NpgsqlDataSource.Create(connectionString);
    foreach (var script in await SchemaMigrator.ApplyAsync(dataSource)) Console.WriteLine($"applied {script}");
    return 0;
}

// `make-cert` writes a self-signed cluster certificate to Orleans:Tls:CertificatePath unless one is there (the
// compose file's one-shot service before the silos start).
if (args.Length > 0 && args[0] == "make-cert")
{
    var configuration = new ConfigurationBuilder()
        .AddEnvironmentVariables()
        .AddCommandLine(args[1..])
        .Build();
    var tls = ClusterTlsOptions.From(configuration);
    Console.WriteLine(ClusterCertificateMaker.WriteIfMissing(tls, TimeProvider.System)
        ? $"wrote {tls.CertificatePath}"
        : $"kept {tls.CertificatePath}");
    return 0;
}

BroadcastApp.Build(args).Run();
return 0;
