using System.Text.Json.Nodes;
using JitAdmission.Core.Validation;

namespace JitAdmission.Cli.PolicyTesting;

/// <summary>
/// An ApprovalPolicy document read as the cluster would take it: decoded strictly (an unknown field is refused, as
/// <c>kubectl apply</c>'s server-side validation refuses it; so is an enum value in the wrong case, which the CRD's
/// enum refuses), then checked with the webhook's own <see cref="PolicyValidator"/>, which refuses invalid policies at
/// apply time. A policy that could never be applied must not pass a test.
/// </summary>
internal static class PolicyReader
{
    public static ApprovalPolicy Read(JsonObject document, string source)
    {
        ArgumentNullException.ThrowIfNull(document);
        var name = (document["metadata"] as JsonObject)?["name"] is JsonValue n && n.TryGetValue<string>(out var text) ? text : null;
        var what = $"{source}: {ApiConstants.PolicyKind} {(string.IsNullOrEmpty(name) ? "(no name)" : name)}";
        if (string.IsNullOrEmpty(name)) throw TestInput.Error($"{what}: metadata.name is required");

        ApprovalPolicy policy;
        try
        {
            policy = KubernetesJson.Deserialize<ApprovalPolicy>(document.ToJsonString())
                ?? throw new JsonException("the document is null");
        }
        catch (JsonException e)
        {
            throw TestInput.Error($"{what} cannot be read: {e.Message}");
        }

        var problems = new List<string>();
        Compare(document, JsonNode.Parse(KubernetesJson.Serialize(policy)), "", problems);
        problems.AddRange(PolicyValidator.Validate(policy));
        if (problems.Count == 1) throw TestInput.Error($"{what}: {problems[0]}");
        if (problems.Count > 1) throw TestInput.Error($"{what} is not accepted ({problems.Count} problems):\n- {string.Join("\n- ", problems)}");
        return policy;
    }

    /// <summary>What the typed object lost or changed: fields it does not know, and values it read differently (enum case).</summary>
    private static void Compare(JsonNode? written, JsonNode? read, string path, List<string> problems)
    {
        switch (written)
        {
            case JsonObject map when read is JsonObject known:
                foreach (var (key, value) in map)
                {
                    var at = path.Length == 0 ? key : $"{path}.{key}";
                    if (value is null) continue;
                    if (!known.ContainsKey(key)) problems.Add($"{at}: unknown field");
                    else Compare(value, known[key], at, problems);
                }

                break;
            case JsonArray list when read is JsonArray items:
                for (var i = 0; i < Math.Min(list.Count, items.Count); i++) Compare(list[i], items[i], $"{path}[{i}]", problems);
                break;
            case JsonValue value when value.TryGetValue<string>(out var text) && read is JsonValue other && other.TryGetValue<string>(out var stored)
                && text != stored && string.Equals(text, stored, StringComparison.OrdinalIgnoreCase):
                problems.Add($"{path}: \"{text}\" is not a valid value (did you mean \"{stored}\"?)");
                break;
        }
    }
}
