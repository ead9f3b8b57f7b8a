using JitAdmission.Core.Fingerprinting;
using JitAdmission.Core.Text;

namespace JitAdmission.Core.Changes;

/// <summary>A JSON value as one short line: compact canonical JSON cut at <see cref="MaxChars"/> characters.</summary>
internal static class ValueText
{
    public const int MaxChars = 120;

    public static string Format(JsonElement? value)
    {
        if (value is not { } element) return "null";
        // Writing into a bounded sink keeps the cost of a huge value (a 1 MB ConfigMap key) at one pass, no copy.
        using var sink = new TruncatingBufferWriter(MaxChars * 4);
        using (var writer = new Utf8JsonWriter(sink, CanonicalJson.WriterOptions))
        {
            CanonicalJson.Write(writer, element);
        }

        var text = Encoding.UTF8.GetString(sink.Kept);
        return sink.Truncated || text.Length > MaxChars ? Truncate(text, MaxChars) : text;
    }

    public static string Truncate(string text, int maxChars)
    {
        if (text.Length <= maxChars) return text;
        var cut = maxChars - 1;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1])) cut--;
        return string.Concat(text.AsSpan(0, cut), "…");
    }

    /// <summary>Keeps the first bytes written and counts the rest.</summary>
    private sealed class TruncatingBufferWriter(int limit) : ScratchBufferWriter(4096)
    {
        private readonly byte[] _kept = new byte[limit];
        private int _keptLength;

        public bool Truncated { get; private set; }

        public ReadOnlySpan<byte> Kept => _kept.AsSpan(0, _keptLength);

        public override void Advance(int count)
        {
            var take = Math.Min(count, _kept.Length - _keptLength);
            Committed(take).CopyTo(_kept.AsSpan(_keptLength));
            _keptLength += take;
            if (take < count) Truncated = true;
        }
    }
}
