using System.Text.Json;
using JitAdmission.Core.Cel;

namespace JitAdmission.Core.Tests.Cel;

public class CelValueConverterTests
{
    public static TheoryData<string, Type?, string> Scalars => new()
    {
        { "1", typeof(long), "1" },
        { "-42", typeof(long), "-42" },
        { "9223372036854775807", typeof(long), "9223372036854775807" },
        { "9223372036854775808", typeof(double), "9.223372036854776E+18" },
        { "1.5", typeof(double), "1.5" },
        { "1e3", typeof(double), "1000" },
        { "\"text\"", typeof(string), "text" },
        { "true", typeof(bool), "True" },
        { "false", typeof(bool), "False" },
        { "null", null, "" },
    };

    [Theory]
    [MemberData(nameof(Scalars))]
    public void Scalars_become_cel_primitives(string json, Type? type, string text)
    {
        var value = CelValueConverter.FromJson(JsonDocument.Parse(json).RootElement);

        Assert.Equal(type, value?.GetType());
        Assert.Equal(text, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "");
    }

    [Fact]
    public void Objects_and_arrays_become_the_exact_types_cel_indexes()
    {
        var value = CelValueConverter.FromJson(JsonDocument.Parse("""{"a":[1,{"b":null}],"c":{}}""").RootElement);

        var map = Assert.IsType<Dictionary<string, object?>>(value);
        var list = Assert.IsType<object?[]>(map["a"]);
        Assert.Equal(1L, list[0]);
        Assert.Null(Assert.IsType<Dictionary<string, object?>>(list[1])["b"]);
        Assert.Empty(Assert.IsType<Dictionary<string, object?>>(map["c"]));
        Assert.Null(CelValueConverter.FromJson((JsonElement?)null));
    }
}
