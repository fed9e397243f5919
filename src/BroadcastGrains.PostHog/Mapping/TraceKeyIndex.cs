using System.Text.Json;

namespace BroadcastGrains.PostHog.Mapping;

/// <summary>
/// The property names that the keys of a <c>request.trace</c> object become, and which of them to skip so no
/// name is written twice. Two keys collide when the caller repeats a key, or sends both <c>$x</c> and
/// <c>metadata_$x</c>; the last one wins, as in most JSON parsers (System.Text.Json, Python, serde).
/// Per-thread and reused, so mapping allocates nothing per key.
/// </summary>
internal sealed class TraceKeyIndex
{
    [ThreadStatic] private static TraceKeyIndex? t_current;

    public static TraceKeyIndex ForCurrentThread() => t_current ??= new TraceKeyIndex();

    private static ReadOnlySpan<byte> MetadataPrefix => "metadata_"u8;

    private byte[] _names = new byte[512];
    private int _namesLength;
    private Entry[] _entries = new Entry[16];
    private int[] _buckets = new int[32];

    public int Count { get; private set; }

    private struct Entry
    {
        public int Start;
        public int Length;
        public int Hash;
        public int Next;
        public bool Shadowed;
    }

    /// <summary>Indexes the top-level keys of <paramref name="traceJson"/>; false (and no keys) if it is not an object.</summary>
    public bool Build(ReadOnlySpan<byte> traceJson)
    {
        Count = 0;
        _namesLength = 0;
        // A one-off huge trace object should not stay pinned on this thread.
        if (_names.Length > 64 * 1024) _names = new byte[512];
        if (_entries.Length > 4096) { _entries = new Entry[16]; _buckets = new int[32]; }
        var reader = new Utf8JsonReader(traceJson, JsonValueCopier.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            Add(JsonValueCopier.Unescaped(ref reader));
            reader.Read();
            reader.Skip();
        }

        MarkShadowed();
        return true;
    }

    public ReadOnlySpan<byte> Name(int index) => _names.AsSpan(_entries[index].Start, _entries[index].Length);

    public bool IsShadowed(int index) => _entries[index].Shadowed;

    /// <summary>
    /// Keys PostHog or this service give a meaning to. <c>broadcast_truncated</c> is ours: renaming the caller's
    /// key (rather than dropping it, or letting it win) keeps both its value and the truth of our flag.
    /// </summary>
    public static bool IsReserved(ReadOnlySpan<byte> key) =>
        (key.Length > 0 && key[0] == (byte)'$')
        || key.SequenceEqual("distinct_id"u8)
        || key.SequenceEqual("token"u8)
        || key.SequenceEqual("api_key"u8)
        || key.SequenceEqual("broadcast_truncated"u8);

    private void Add(ReadOnlySpan<byte> key)
    {
        var reserved = IsReserved(key);
        var length = key.Length + (reserved ? MetadataPrefix.Length : 0);
        if (_namesLength + length > _names.Length)
            Array.Resize(ref _names, Math.Max(_names.Length * 2, _namesLength + length));
        var target = _names.AsSpan(_namesLength, length);
        if (reserved)
        {
            MetadataPrefix.CopyTo(target);
            key.CopyTo(target[MetadataPrefix.Length..]);
        }
        else
        {
            key.CopyTo(target);
        }

        if (Count == _entries.Length) Array.Resize(ref _entries, _entries.Length * 2);
        _entries[Count++] = new Entry { Start = _namesLength, Length = length, Hash = Hash(target), Next = -1 };
        _namesLength += length;
    }

    private void MarkShadowed()
    {
        var bucketCount = _buckets.Length;
        while (bucketCount < Count * 2) bucketCount *= 2;
        if (bucketCount != _buckets.Length) _buckets = new int[bucketCount];
        Array.Fill(_buckets, -1);
        var mask = bucketCount - 1;

        // Walking backwards, a key already in the table has a later twin, which wins.
        for (var i = Count - 1; i >= 0; i--)
        {
            ref var entry = ref _entries[i];
            var name = Name(i);
            var bucket = entry.Hash & mask;
            for (var j = _buckets[bucket]; j >= 0; j = _entries[j].Next)
            {
                if (_entries[j].Hash == entry.Hash && Name(j).SequenceEqual(name))
                {
                    entry.Shadowed = true;
                    break;
                }
            }

            if (!entry.Shadowed)
            {
                entry.Next = _buckets[bucket];
                _buckets[bucket] = i;
            }
        }
    }

    private static int Hash(ReadOnlySpan<byte> name)
    {
        var hash = 2166136261u;
        foreach (var b in name) hash = (hash ^ b) * 16777619u;
        return (int)(hash & 0x7FFFFFFF);
    }
}
