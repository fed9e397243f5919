using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace BroadcastGrains.Host.Settings;

/// <summary>One file of the page, read once from the assembly's embedded resources, with its content type and ETag.</summary>
public sealed record SettingsAsset(byte[] Content, string ContentType, EntityTagHeaderValue ETag)
{
    private const string Prefix = "settings/";

    /// <summary>Every embedded script module and style sheet of the page, by file name (the page's own HTML is not among them).</summary>
    public static Dictionary<string, SettingsAsset> LoadScriptsAndStyles()
    {
        var assets = new Dictionary<string, SettingsAsset>(StringComparer.Ordinal);
        foreach (var resource in typeof(SettingsAsset).Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var name = resource[Prefix.Length..];
            var contentType = Path.GetExtension(name) switch
            {
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => null,
            };
            if (contentType is not null) assets[name] = Load(name, contentType);
        }
        return assets;
    }

    public static SettingsAsset Load(string name, string contentType)
    {
        using var stream = typeof(SettingsAsset).Assembly.GetManifestResourceStream(Prefix + name)
            ?? throw new InvalidOperationException($"The settings page's {name} is not embedded in the host.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var content = copy.ToArray();
        var tag = new EntityTagHeaderValue("\"" + Convert.ToBase64String(SHA256.HashData(content)[..12]).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\"");
        return new SettingsAsset(content, contentType, tag);
    }
}
