namespace JitAdmission.Webhook.Review;

/// <summary>
/// Strings for the short values that repeat from review to review (resources, namespaces, users, groups): a value
/// seen before is handed out again instead of being decoded and allocated for every request. A small fixed table,
/// newest value per slot, so hostile input cannot grow it.
/// </summary>
internal static class RepeatedStrings
{
    private const int Slots = 1024; // a power of two
    private const int MaxLength = 64;

    private static readonly Entry?[] Table = new Entry?[Slots];

    /// <summary>The reader's current string value, as <see cref="Utf8JsonReader.GetString"/> returns it.</summary>
    public static string Get(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxLength) return reader.GetString()!;
        var utf8 = reader.ValueSpan;
        var hash = new HashCode();
        hash.AddBytes(utf8);
        var slot = hash.ToHashCode() & (Slots - 1);
        var entry = Volatile.Read(ref Table[slot]);
        if (entry is not null && utf8.SequenceEqual(entry.Utf8)) return entry.Value;

        var value = reader.GetString()!; // throws on invalid UTF-8, so only valid values are kept
        Volatile.Write(ref Table[slot], new Entry(utf8.ToArray(), value));
        return value;
    }

    private sealed class Entry(byte[] utf8, string value)
    {
        public byte[] Utf8 { get; } = utf8;
        public string Value { get; } = value;
    }
}
