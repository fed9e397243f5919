using BroadcastGrains.Host.Auth;

namespace BroadcastGrains.Host.Composition;

/// <summary>Refuses to start with a configuration that would run open or lose data, naming the key to fix.</summary>
public static class StartupValidation
{
    public static void Validate(IConfiguration configuration, IHostEnvironment environment, BroadcastOptions options, AuthOptions auth)
    {
        var problems = new List<string>();
        var needsPostgres = options.Storage == StorageMode.Postgres || options.Clustering == ClusteringMode.Postgres;
        if (needsPostgres && string.IsNullOrWhiteSpace(configuration.GetConnectionString("Postgres")))
            problems.Add("ConnectionStrings:Postgres is required when Broadcast:Storage or Broadcast:Clustering is Postgres.");
        if (!environment.IsDevelopment())
        {
            if (auth.AdminTokens.All(string.IsNullOrEmpty)) problems.Add("Broadcast:Auth:AdminTokens must list at least one token.");
            if (auth.IngestTokens.All(string.IsNullOrEmpty)) problems.Add("Broadcast:Auth:IngestTokens must list at least one token.");
        }
        var tls = ClusterTlsOptions.From(configuration);
        if (tls.Enabled)
        {
            try
            {
                ClusterCertificate.Load(tls).Dispose();
            }
            catch (InvalidOperationException e)
            {
                problems.Add(e.Message);
            }
        }
        else if (!string.IsNullOrEmpty(tls.CertificatePassword))
        {
            problems.Add($"{ClusterTlsOptions.PathKey} is required when {ClusterTlsOptions.PasswordKey} is set.");
        }
        if (problems.Count > 0)
            throw new InvalidOperationException("BroadcastGrains cannot start: " + string.Join(" ", problems));
    }
}
