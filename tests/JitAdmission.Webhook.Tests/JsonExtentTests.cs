using System.Text;
using System.Text.Json;
using JitAdmission.Webhook.Review;

namespace JitAdmission.Webhook.Tests;

public class JsonExtentTests
{
    // Quotes as \" and backslashes as \\ (the default encoder would write quotes as \u0022).
    private static readonly JsonSerializerOptions Escaping = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"a":1}""")]
    [InlineData("""{"a":"}"}""")]
    [InlineData("""{"a":"{[\"]}"}""")]
    [InlineData("""{"a\"}":"\\"}""")]
    [InlineData("""{"a":[{"b":["]"]}],"c":{"d":"\\\""}}""")]
    [InlineData("""{"é":"ü\u005c\"}"}""")]
    [InlineData("""[1,[2,[3]],"]"]""")]
    public void Ends_where_the_tokenizer_ends(string json)
    {
        var utf8 = Encoding.UTF8.GetBytes("  " + json + " , \"next\": 1}");

        Assert.Equal(2 + Encoding.UTF8.GetByteCount(json), JsonExtent.End(utf8, 2, 16));
        Assert.Equal(2 + Encoding.UTF8.GetByteCount(json), JsonExtent.EndByteByByte(utf8, 2, 16));
        Assert.Equal(2 + Encoding.UTF8.GetByteCount(json), TokenizerEnd(utf8, 2));
    }

    [Theory]
    [InlineData("""{"a":1""")]
    [InlineData("""{"a":"}""")]
    [InlineData("""{"a":"\"}""")]
    [InlineData("""{"a":"\""")]
    [InlineData("""{"a":"x\""")]
    [InlineData("""null""")]
    [InlineData("")]
    public void Unclosed_or_no_container_is_not_found(string json)
    {
        Assert.Equal(JsonExtent.NotFound, JsonExtent.End(Encoding.UTF8.GetBytes(json), 0, 16));
        Assert.Equal(JsonExtent.NotFound, JsonExtent.EndByteByByte(Encoding.UTF8.GetBytes(json), 0, 16));
        // Long enough for whole 64-byte blocks.
        var padded = Encoding.UTF8.GetBytes(json.Length == 0 ? "" : json[..1] + new string(' ', 200) + json[1..]);
        Assert.Equal(JsonExtent.NotFound, JsonExtent.End(padded, 0, 16));
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_too_deep()
    {
        // The object counts as one level, each array as one more.
        var three = Encoding.UTF8.GetBytes("""{"a":[[]]}""");
        var four = Encoding.UTF8.GetBytes("""{"a":[[[]]]}""");

        Assert.Equal(three.Length, JsonExtent.End(three, 0, 3));
        Assert.Equal(JsonExtent.TooDeep, JsonExtent.End(four, 0, 3));
        Assert.Equal(JsonExtent.TooDeep, JsonExtent.EndByteByByte(four, 0, 3));
    }

    [Theory]
    [InlineData(62)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(127)]
    public void Escapes_and_strings_crossing_a_64_byte_boundary(int offset)
    {
        // A run of backslashes (odd and even) and a string ending right around a block boundary.
        foreach (var run in new[] { 1, 2, 3, 4, 7, 8 })
        {
            var text = new string('x', offset) + new string('\\', run) + (run % 2 == 1 ? "\"" : "") + "}]";
            var json = "{\"a\":" + JsonSerializer.Serialize(text, Escaping) + ",\"b\":[{\"c\":\"" + new string('\\', 2 * run) + "\"}]}";
            var utf8 = Encoding.UTF8.GetBytes(json + " ,1]");
            Assert.Equal(TokenizerEnd(utf8, 0), JsonExtent.End(utf8, 0, 16));
        }
    }

    [Fact]
    public void Agrees_with_the_tokenizer_on_generated_documents()
    {
        var random = new Random(20261127);
        for (var n = 0; n < 2000; n++)
        {
            var json = Generate(random, 0);
            var utf8 = Encoding.UTF8.GetBytes(json + ",1]");
            var expected = TokenizerEnd(utf8, 0);
            Assert.Equal(expected, JsonExtent.End(utf8, 0, 64));
            Assert.Equal(expected, JsonExtent.EndByteByByte(utf8, 0, 64));
            // Cut short anywhere inside, it is not found (or found earlier only if a prefix is itself complete: never, the outer container is open).
            var cut = random.Next(1, expected);
            Assert.Equal(JsonExtent.NotFound, JsonExtent.End(utf8.AsSpan(0, cut), 0, 64));
        }
    }

    private static int TokenizerEnd(byte[] utf8, int start)
    {
        var reader = new Utf8JsonReader(utf8.AsSpan(start), isFinalBlock: false, default);
        reader.Read();
        Assert.True(reader.TrySkip());
        return start + (int)reader.BytesConsumed;
    }

    private static string Generate(Random random, int depth)
    {
        var count = random.Next(0, depth < 4 ? 5 : 1);
        var array = random.Next(2) == 0;
        var parts = Enumerable.Range(0, count).Select(_ =>
        {
            var value = random.Next(4) switch
            {
                0 when depth < 6 => Generate(random, depth + 1),
                1 => JsonSerializer.Serialize(RandomText(random), Escaping),
                2 => random.Next(-1000, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => random.Next(2) == 0 ? "true" : "null",
            };
            return array ? value : JsonSerializer.Serialize(RandomText(random), Escaping) + ":" + value;
        });
        return (array ? "[" : "{") + string.Join(",", parts) + (array ? "]" : "}");
    }

    /// <summary>Text heavy in the characters a scanner could trip over: quotes, backslashes, brackets, non-ASCII.</summary>
    private static string RandomText(Random random)
    {
        const string alphabet = "ab\"\\{}[]:, é€\n\t/";
        var length = random.Next(4) == 0 ? random.Next(0, 150) : random.Next(0, 12);
        return new string([.. Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)])]);
    }
}
