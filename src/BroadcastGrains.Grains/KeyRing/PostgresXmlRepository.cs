using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace BroadcastGrains.Grains.KeyRing;

/// <summary>
/// The Data Protection key ring in PostgreSQL (table <c>broadcast_data_protection_keys</c>, db/020), so that every
/// silo of a cluster encrypts and decrypts the stored PostHog keys with the same keys, and a new silo (or a
/// restarted container) can read what another one wrote. Data Protection calls this rarely (at start, when its
/// cached ring expires, about daily, and when it rotates a key), so plain statements are enough.
/// </summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var elements = new List<XElement>();
        using var command = dataSource.CreateCommand("SELECT xml FROM broadcast_data_protection_keys ORDER BY id");
        using var reader = command.ExecuteReader();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        // Two silos that both find the ring empty at their first start each create a key: both rows are kept and
        // both keys stay valid for decryption, so the race costs nothing.
        using var command = dataSource.CreateCommand(
            "INSERT INTO broadcast_data_protection_keys (friendly_name, xml) VALUES ($1, $2)");
        command.Parameters.AddWithValue(friendlyName);
        command.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }
}
