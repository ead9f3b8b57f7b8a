using System.Text.Json.Nodes;
using JitAdmission.Core.Text;

namespace JitAdmission.Core.Tests.Changes;

/// <summary>YAML as JSON: the 1.2 core schema by default, Go's YAML 1.1 reading (Helm, kubectl) when asked.</summary>
public class YamlToJsonTests
{
    [Theory]
    [InlineData("{n: \"1\", on: yes, k: off, q: 'no', x: 3}", false, """{"n":"1","on":"yes","k":"off","q":"no","x":3}""")]
    [InlineData("{n: \"1\", on: yes, k: off, q: 'no', x: 3}", true, """{"false":"1","true":true,"k":false,"q":"no","x":3}""")]
    [InlineData("{y: Y, 1: one, null: ~}", true, """{"true":true,"1":"one","null":null}""")]
    public void Plain_scalars_and_keys_read_as_the_schema_says(string yaml, bool yaml11, string json)
    {
        var parsed = Assert.IsType<JsonObject>(Assert.Single(YamlToJson.ParseDocuments(yaml, yaml11)));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), parsed), parsed.ToJsonString());
    }
}
