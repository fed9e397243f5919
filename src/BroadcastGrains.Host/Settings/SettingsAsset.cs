using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace BroadcastGrains.Host.Settings;

/// <summary>One file of the page, read once from the assembly's embedded resources, with its content type and ETag.</summary>
public sealed record SettingsAsset(byte[] Content, string ContentType, EntityTagHeaderValue ETag)
{
    public static SettingsAsset Load(string name, string contentType)
    {
        using var stream = typeof(SettingsAsset).Assembly.GetManifestResourceStream("settings/" + name)
            ?? throw new InvalidOperationException($"The settings page's {name} is not embedded in the host.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var content = copy.ToArray();
        var tag = new EntityTagHeaderValue("\"" + Convert.ToBase64String(SHA256.HashData(content)[..12]).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\"");
        return new SettingsAsset(content, contentType, tag);
    }
}
