using System.Runtime.ExceptionServices;

namespace JitAdmission.Core.Admission;

/// <summary>UTF-8 JSON of an object from an AdmissionReview, parsed at most once and only on demand.</summary>
public sealed class RawObject
{
    public static readonly RawObject None = new(ReadOnlyMemory<byte>.Empty);

    /// <summary>The transport admits reviews nested up to this depth; objects must parse to the same depth.</summary>
    public const int MaxDepth = 128;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = MaxDepth };

    // Set once, by the first reader of Element. Not a Lazy<T>: three per admission request (its delegate and state
    // included) were measurable on the no-match path, which never parses.
    private Parsed? _parsed;

    public RawObject(ReadOnlyMemory<byte> utf8)
    {
        Utf8 = utf8;
        IsPresent = !utf8.IsEmpty && !utf8.Span.SequenceEqual("null"u8);
    }

    public static RawObject FromJson(string json) => new(System.Text.Encoding.UTF8.GetBytes(json));

    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>False for a missing or JSON-null object.</summary>
    public bool IsPresent { get; }

    /// <summary>Whether <see cref="Element"/> has been read: the fast path must leave this false.</summary>
    public bool IsParsed => Volatile.Read(ref _parsed) is not null;

    /// <summary>
    /// The parsed object, or null when absent. Throws <see cref="JsonException"/> on malformed JSON, the same
    /// exception on every read.
    /// </summary>
    public JsonElement? Element => (Volatile.Read(ref _parsed) ?? ParseOnce()).Value;

    /// <summary>Threads racing here may both parse; all of them see the first result published.</summary>
    private Parsed ParseOnce()
    {
        Parsed parsed;
        try
        {
            parsed = new Parsed(Parse(), null);
        }
        catch (Exception ex)
        {
            parsed = new Parsed(null, ExceptionDispatchInfo.Capture(ex));
        }

        return Interlocked.CompareExchange(ref _parsed, parsed, null) ?? parsed;
    }

    private JsonElement? Parse()
    {
        if (!IsPresent) return null;
        using var doc = JsonDocument.Parse(Utf8, ParseOptions);
        return doc.RootElement.Clone();
    }

    private sealed class Parsed(JsonElement? element, ExceptionDispatchInfo? error)
    {
        public JsonElement? Value
        {
            get
            {
                error?.Throw();
                return element;
            }
        }
    }
}
