namespace JitAdmission.Core.Matching;

/// <summary>A <see cref="ResourceRule"/> with its resources split into patterns; entries that are not valid
/// (reported by the validator) are dropped, so they match nothing, exactly as the webhook configuration omits them.</summary>
public sealed class CompiledResourceRule
{
    private CompiledResourceRule(ResourceRule rule)
    {
        Groups = rule.ApiGroups.Where(IsGroup).Distinct(StringComparer.Ordinal).ToArray();
        Versions = rule.ApiVersions.Count == 0
            ? [ResourcePattern.Wildcard]
            : rule.ApiVersions.Where(IsVersion).Distinct(StringComparer.Ordinal).ToArray();
        Resources = rule.Resources
            .Select(r => ResourcePattern.TryParse(r, out var p, out _) ? p : null)
            .OfType<ResourcePattern>()
            .Distinct()
            .ToArray();
        Operations = rule.Operations.Where(Matching.Operations.IsValid).Distinct(StringComparer.Ordinal).ToArray();
    }

    public IReadOnlyList<string> Groups { get; }
    /// <summary>An empty <c>apiVersions</c> list means every version.</summary>
    public IReadOnlyList<string> Versions { get; }
    public IReadOnlyList<ResourcePattern> Resources { get; }
    public IReadOnlyList<string> Operations { get; }

    public static CompiledResourceRule From(ResourceRule rule) => new(rule);

    public bool Matches(string group, string version, string resource, string subResource, string operation) =>
        Contains(Groups, group) && Contains(Versions, version) && Contains(Operations, operation) && MatchesResource(resource, subResource);

    public static bool IsGroup(string? group) => group is not null && (group.Length == 0 || group == ResourcePattern.Wildcard || NameRules.IsDnsSubdomain(group));

    public static bool IsVersion(string? version) => version == ResourcePattern.Wildcard || NameRules.IsDnsLabel(version);

    private bool MatchesResource(string resource, string subResource)
    {
        foreach (var pattern in Resources)
        {
            if (pattern.Matches(resource, subResource)) return true;
        }

        return false;
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] == ResourcePattern.Wildcard || values[i] == value) return true;
        }

        return false;
    }
}
