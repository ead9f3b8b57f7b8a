using System.Text;
using System.Text.Json;
using JitAdmission.Webhook.Review;

namespace JitAdmission.Webhook.Tests;

public sealed class RepeatedStringsTests
{
    private static string Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        Assert.True(reader.Read());
        return RepeatedStrings.Get(ref reader);
    }

    [Fact]
    public void A_value_seen_before_is_the_same_string()
    {
        var first = Read("\"deployments-repeated\"");
        var second = Read("\"deployments-repeated\"");

        Assert.Equal("deployments-repeated", first);
        Assert.Same(first, second);
    }

    [Theory]
    [InlineData("\"caf\\u00e9\"", "café")]
    [InlineData("\"a\\\"b\"", "a\"b")]
    [InlineData("\"ünïcode\"", "ünïcode")]
    [InlineData("\"\"", "")]
    public void Values_read_as_the_json_reader_reads_them(string json, string expected)
    {
        Assert.Equal(expected, Read(json));
        Assert.Equal(expected, Read(json));
    }

    [Fact]
    public void Long_values_are_read_but_not_kept()
    {
        var value = new string('x', 200);
        var first = Read("\"" + value + "\"");

        Assert.Equal(value, first);
        Assert.NotSame(first, Read("\"" + value + "\""));
    }

    [Fact]
    public void Values_that_share_a_slot_are_told_apart()
    {
        // Far more values than slots: every read must still return its own value.
        for (var i = 0; i < 5000; i++) Assert.Equal("ns-" + i, Read("\"ns-" + i + "\""));
    }

    [Fact]
    public void Invalid_utf8_is_refused_as_by_the_reader()
    {
        var bytes = new byte[] { (byte)'"', 0xC3, 0x28, (byte)'"' };
        var reader = new Utf8JsonReader(bytes);
        Assert.True(reader.Read());
        var threw = false;
        try
        {
            RepeatedStrings.Get(ref reader);
        }
        catch (InvalidOperationException)
        {
            threw = true;
        }

        Assert.True(threw);
    }
}
