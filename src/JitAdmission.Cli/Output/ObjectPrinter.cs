using System.Text.Json.Nodes;

namespace JitAdmission.Cli.Output;

/// <summary>-o json|yaml|name for one request or a list, printing the objects exactly as the API server sent them.</summary>
internal static class ObjectPrinter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, IndentSize = 4 };

    /// <summary>kubectl's -o name form: resource.group/name.</summary>
    public static string Name(FetchedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"approvalrequest.jitadmission.io/{request.Name}";
    }

    public static string One(FetchedRequest request, OutputFormat format)
    {
        ArgumentNullException.ThrowIfNull(request);
        return format switch
        {
            OutputFormat.Json => JsonSerializer.Serialize(Printable(request), Indented) + "\n",
            OutputFormat.Yaml => YamlText.FromJson(Printable(request)),
            OutputFormat.Name => Name(request) + "\n",
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not an object format"),
        };
    }

    /// <summary>A kubectl-style <c>List</c> of the requests, in the order given.</summary>
    public static string Many(IReadOnlyList<FetchedRequest> requests, OutputFormat format)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (format == OutputFormat.Name) return string.Concat(requests.Select(r => Name(r) + "\n"));
        var list = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "List",
            ["items"] = new JsonArray([.. requests.Select(r => (JsonNode?)JsonSerializer.SerializeToNode(Printable(r)))]),
            ["metadata"] = new JsonObject { ["resourceVersion"] = "" },
        };
        var element = JsonSerializer.SerializeToElement(list);
        return format switch
        {
            OutputFormat.Json => JsonSerializer.Serialize(element, Indented) + "\n",
            OutputFormat.Yaml => YamlText.FromJson(element),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not an object format"),
        };
    }

    /// <summary>The object without metadata.managedFields, which kubectl also leaves out unless asked.</summary>
    private static JsonElement Printable(FetchedRequest request)
    {
        var node = JsonNode.Parse(request.Raw.GetRawText());
        if (node?["metadata"] is JsonObject metadata) metadata.Remove("managedFields");
        return JsonSerializer.SerializeToElement(node);
    }
}
