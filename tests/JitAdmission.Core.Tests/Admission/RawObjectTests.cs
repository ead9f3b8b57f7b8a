using System.Text.Json;
using JitAdmission.Core.Admission;

namespace JitAdmission.Core.Tests.Admission;

public sealed class RawObjectTests
{
    [Fact]
    public void An_object_is_parsed_on_first_read_only()
    {
        var raw = RawObject.FromJson("""{"kind":"ConfigMap","data":{"a":"1"}}""");
        Assert.True(raw.IsPresent);
        Assert.False(raw.IsParsed);

        var first = raw.Element;
        Assert.True(raw.IsParsed);
        Assert.Equal("ConfigMap", first!.Value.GetProperty("kind").GetString());
        Assert.Equal("1", raw.Element!.Value.GetProperty("data").GetProperty("a").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    public void A_missing_or_null_object_is_absent(string json)
    {
        var raw = json.Length == 0 ? RawObject.None : RawObject.FromJson(json);
        Assert.False(raw.IsPresent);
        Assert.Null(raw.Element);
    }

    [Fact]
    public void Malformed_json_throws_the_same_exception_on_every_read()
    {
        var raw = RawObject.FromJson("""{"kind":"ConfigMap",""");
        var first = Assert.ThrowsAny<JsonException>(() => raw.Element);
        Assert.True(raw.IsParsed);
        var second = Assert.ThrowsAny<JsonException>(() => raw.Element);
        Assert.Same(first, second);
    }

    [Fact]
    public void Concurrent_readers_all_see_one_result()
    {
        for (var round = 0; round < 50; round++)
        {
            var raw = RawObject.FromJson("""{"metadata":{"name":"web"}}""");
            using var start = new Barrier(4);
            var names = new string?[4];
            var threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                names[i] = raw.Element!.Value.GetProperty("metadata").GetProperty("name").GetString();
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.All(names, n => Assert.Equal("web", n));
        }
    }
}
