using System.Buffers;
using System.Text.Json;

namespace BroadcastGrains.Host.Routing;

/// <summary>
/// Cuts a validated request body into one JSON array per owner silo, each holding that owner's records verbatim and
/// in request order, in one pass over the body (a pass per owner would scan the whole body N times: about 1.4 µs per
/// record each on the bench machine, against 4–5 µs to parse a record). Each share is allocated once at its exact size:
/// a growing buffer would cross the large-object threshold for a third of a 140 KB request and cost gen-2 collections.
/// </summary>
public static class ShareSplitter
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    /// <param name="body">A body that parsed as an array of records (a single object is never split: it has one owner).</param>
    /// <param name="ownerOf">Owner index of each record, in body order.</param>
    /// <returns>One array per owner index; an owner without records gets none (null).</returns>
    public static byte[]?[] Split(ReadOnlySpan<byte> body, ReadOnlySpan<int> ownerOf, int owners)
    {
        var spans = ArrayPool<(int Start, int End)>.Shared.Rent(ownerOf.Length);
        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray) throw new ArgumentException("Only an array body can be split.", nameof(body));
            var sizes = new int[owners];
            var index = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                if (index == ownerOf.Length) throw new ArgumentException($"The body holds more than {ownerOf.Length} records.", nameof(body));
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var end = (int)reader.BytesConsumed;
                spans[index] = (start, end);
                // Its bytes and a separator ('[' before the first, ',' before the others).
                sizes[ownerOf[index++]] += end - start + 1;
            }
            if (index != ownerOf.Length) throw new ArgumentException($"The body holds {index} records, not {ownerOf.Length}.", nameof(body));

            var shares = new byte[]?[owners];
            var written = new int[owners];
            for (var i = 0; i < index; i++)
            {
                var owner = ownerOf[i];
                // Plus the closing ']'.
                var share = shares[owner] ??= new byte[sizes[owner] + 1];
                var at = written[owner];
                share[at] = at == 0 ? (byte)'[' : (byte)',';
                var (start, end) = spans[i];
                body[start..end].CopyTo(share.AsSpan(at + 1));
                written[owner] = at + 1 + end - start;
            }
            foreach (var share in shares)
            {
                if (share is not null) share[^1] = (byte)']';
            }
            return shares;
        }
        finally
        {
            ArrayPool<(int, int)>.Shared.Return(spans);
        }
    }
}
