using System.Text.Json;

namespace BroadcastGrains.Host.Routing;

/// <summary>
/// Cuts a validated request body into one JSON array per owner silo, each holding that owner's records verbatim and
/// in request order, in one pass over the body (a pass per owner would scan the whole body N times: about 1.4 µs per
/// record each on the bench machine, against 4–5 µs to parse a record).
/// </summary>
public static class ShareSplitter
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    /// <param name="body">A body that parsed as an array of records (a single object is never split: it has one owner).</param>
    /// <param name="ownerOf">Owner index of each record, in body order.</param>
    /// <returns>One array per owner index; an owner without records gets none (null).</returns>
    public static byte[]?[] Split(ReadOnlySpan<byte> body, ReadOnlySpan<int> ownerOf, int owners)
    {
        var outputs = new MemoryStream?[owners];
        var reader = new Utf8JsonReader(body, ReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray) throw new ArgumentException("Only an array body can be split.", nameof(body));
        var index = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var owner = ownerOf[index++];
            var output = outputs[owner];
            if (output is null) outputs[owner] = output = new MemoryStream(body.Length / owners + 64);
            output.WriteByte(output.Length == 0 ? (byte)'[' : (byte)',');
            output.Write(body[start..(int)reader.BytesConsumed]);
        }
        if (index != ownerOf.Length) throw new ArgumentException($"The body holds {index} records, not {ownerOf.Length}.", nameof(body));
        var shares = new byte[]?[owners];
        for (var i = 0; i < owners; i++)
        {
            if (outputs[i] is not { } output) continue;
            output.WriteByte((byte)']');
            shares[i] = output.ToArray();
        }
        return shares;
    }
}
