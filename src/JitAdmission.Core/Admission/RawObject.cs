using System.Text.Json;

namespace JitAdmission.Core.Admission;

/// <summary>UTF-8 JSON of an object from an AdmissionReview, parsed at most once and only on demand.</summary>
public sealed class RawObject
{
    public static readonly RawObject None = new(ReadOnlyMemory<byte>.Empty);

    /// <summary>The transport admits reviews nested up to this depth; objects must parse to the same depth.</summary>
    public const int MaxDepth = 128;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = MaxDepth };

    private readonly Lazy<JsonElement?> _element;

    public RawObject(ReadOnlyMemory<byte> utf8)
    {
        Utf8 = utf8;
        IsPresent = !utf8.IsEmpty && !utf8.Span.SequenceEqual("null"u8);
        _element = new Lazy<JsonElement?>(Parse, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public static RawObject FromJson(string json) => new(System.Text.Encoding.UTF8.GetBytes(json));

    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>False for a missing or JSON-null object.</summary>
    public bool IsPresent { get; }

    /// <summary>Whether <see cref="Element"/> has been read: the fast path must leave this false.</summary>
    public bool IsParsed => _element.IsValueCreated;

    /// <summary>The parsed object, or null when absent. Throws <see cref="JsonException"/> on malformed JSON.</summary>
    public JsonElement? Element => _element.Value;

    private JsonElement? Parse()
    {
        if (!IsPresent) return null;
        using var doc = JsonDocument.Parse(Utf8, ParseOptions);
        return doc.RootElement.Clone();
    }
}
