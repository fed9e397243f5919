using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace BroadcastGrains.Grains.KeyRing;

/// <summary>
/// Memory storage's key ring: in memory, like the grain state it protects. Without it Data Protection would write
/// its keys to the user's home directory (or warn and keep them in memory anyway) — state that outlives the data.
/// </summary>
public sealed class MemoryXmlRepository : IXmlRepository
{
    private readonly List<XElement> _elements = new();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_elements) return _elements.Select(e => new XElement(e)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_elements) _elements.Add(new XElement(element));
    }
}
