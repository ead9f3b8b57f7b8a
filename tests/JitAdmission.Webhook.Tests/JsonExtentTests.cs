using System.Text;
using System.Text.Json;
using JitAdmission.Webhook.Review;

namespace JitAdmission.Webhook.Tests;

public class JsonExtentTests
{
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
    public void Unclosed_or_no_container_is_not_found(string json) =>
        Assert.Equal(JsonExtent.NotFound, JsonExtent.End(Encoding.UTF8.GetBytes(json), 0, 16));

    [Fact]
    public void Nesting_beyond_the_limit_is_too_deep()
    {
        // The object counts as one level, each array as one more.
        var three = Encoding.UTF8.GetBytes("""{"a":[[]]}""");
        var four = Encoding.UTF8.GetBytes("""{"a":[[[]]]}""");

        Assert.Equal(three.Length, JsonExtent.End(three, 0, 3));
        Assert.Equal(JsonExtent.TooDeep, JsonExtent.End(four, 0, 3));
    }

    [Fact]
    public void Agrees_with_the_tokenizer_on_generated_documents()
    {
        var random = new Random(20261127);
        for (var n = 0; n < 500; n++)
        {
            var json = Generate(random, 0);
            var utf8 = Encoding.UTF8.GetBytes(json + ",1]");
            Assert.Equal(TokenizerEnd(utf8, 0), JsonExtent.End(utf8, 0, 64));
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
                1 => JsonSerializer.Serialize(RandomText(random)),
                2 => random.Next(-1000, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => random.Next(2) == 0 ? "true" : "null",
            };
            return array ? value : JsonSerializer.Serialize(RandomText(random)) + ":" + value;
        });
        return (array ? "[" : "{") + string.Join(",", parts) + (array ? "]" : "}");
    }

    /// <summary>Text heavy in the characters a scanner could trip over: quotes, backslashes, brackets, non-ASCII.</summary>
    private static string RandomText(Random random)
    {
        const string alphabet = "ab\"\\{}[]:, é€\n\t/";
        return new string([.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
    }
}
