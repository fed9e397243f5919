using System.Security.Cryptography;
using System.Text;

namespace BroadcastGrains.Host.Auth;

/// <summary>
/// Knows which bearer tokens grant which scope. Only SHA-256 digests are kept, and every lookup compares
/// against every digest in constant time, so neither timing nor a memory dump gives a token away.
/// </summary>
public sealed class TokenRegistry
{
    private readonly (byte[] Digest, string Scope)[] _entries;

    public TokenRegistry(AuthOptions options)
    {
        _entries = options.AdminTokens.Where(t => !string.IsNullOrEmpty(t)).Select(t => (Digest(t), Scopes.Admin))
            .Concat(options.IngestTokens.Where(t => !string.IsNullOrEmpty(t)).Select(t => (Digest(t), Scopes.Ingest)))
            .ToArray();
    }

    /// <summary>The scopes the token grants; empty for an unknown token.</summary>
    public IReadOnlyList<string> ScopesOf(string token)
    {
        var digest = Digest(token);
        var scopes = new List<string>(2);
        foreach (var (candidate, scope) in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate, digest) && !scopes.Contains(scope)) scopes.Add(scope);
        }
        return scopes;
    }

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
