namespace JitAdmission.Core.Matching;

/// <summary>
/// The rules a ValidatingWebhookConfiguration needs so that exactly the requests some policy's resource rules can
/// match reach the webhook. Policies are included whether valid or not (an invalid Enforce policy must still fail
/// closed), but entries Kubernetes would reject are left out (they match nothing in the engine either). The result is
/// minimal enough for the API server's rule validation (no <c>*</c> beside other entries it covers) and
/// deterministic, so the controller can compare it with what is installed.
/// </summary>
public static class WebhookRuleUnion
{
    private const string W = ResourcePattern.Wildcard;

    public static IReadOnlyList<ResourceRule> Compute(IEnumerable<ApprovalPolicy> policies) =>
        Compute(policies.SelectMany(p => p.Spec.Match.Resources).Select(CompiledResourceRule.From));

    public static IReadOnlyList<ResourceRule> Compute(IEnumerable<CompiledResourceRule> rules)
    {
        var atoms = new HashSet<Atom>();
        foreach (var rule in rules)
        {
            // Operations are a finite set: spelling * out lets several atoms together cover another one.
            var operations = rule.Operations.Contains(W) ? Operations.Concrete : rule.Operations;
            var versions = rule.Versions.Contains(W) ? [W] : rule.Versions;
            foreach (var group in rule.Groups)
            foreach (var version in versions)
            foreach (var resource in rule.Resources)
            foreach (var operation in operations)
            {
                atoms.Add(new Atom(group, version, resource, operation));
                // The API server must send the UPDATEs that a DELETE rule also gates (OwnershipHandover).
                if (operation == Operations.Delete && OwnershipHandover.CoversMainResource(resource))
                    atoms.Add(new Atom(group, version, resource with { SubResource = "" }, Operations.Update));
            }
        }

        var kept = RemoveCovered(atoms);

        // (group, version, resource) → operations; then one rule per (version, operations, resources) with all groups
        // that share it; then rules that differ only in version are joined.
        var byResource = kept
            .GroupBy(a => (a.Group, a.Version, a.Resource))
            .Select(g => (g.Key.Group, g.Key.Version, g.Key.Resource, Operations: Normalize(g.Select(a => a.Operation))));
        var byOperations = byResource
            .GroupBy(x => (x.Group, x.Version, Ops: string.Join(",", x.Operations)))
            .Select(g => (g.Key.Group, g.Key.Version, Operations: g.First().Operations, Resources: Sorted(g.Select(x => x.Resource.ToString()))));
        var byGroups = byOperations
            .GroupBy(x => (x.Version, Ops: string.Join(",", x.Operations), Res: string.Join(",", x.Resources)))
            .Select(g => (g.Key.Version, g.First().Operations, g.First().Resources, Groups: Sorted(g.Select(x => x.Group))));
        var byVersions = byGroups
            .GroupBy(x => (Ops: string.Join(",", x.Operations), Res: string.Join(",", x.Resources), Groups: string.Join(",", x.Groups)))
            .Select(g => new ResourceRule
            {
                ApiGroups = [.. g.First().Groups],
                ApiVersions = Sorted(g.Select(x => x.Version)),
                Resources = [.. g.First().Resources],
                Operations = [.. g.First().Operations],
            });

        return [.. byVersions
            .OrderBy(r => string.Join(",", r.ApiGroups), StringComparer.Ordinal)
            .ThenBy(r => string.Join(",", r.Resources), StringComparer.Ordinal)
            .ThenBy(r => string.Join(",", r.ApiVersions), StringComparer.Ordinal)
            .ThenBy(r => string.Join(",", r.Operations), StringComparer.Ordinal)];
    }

    /// <summary>Drops every atom another atom already covers, so that a rule never lists, say, <c>*</c> and
    /// <c>pods</c> together (which the API server rejects) and the configuration stays small.</summary>
    private static List<Atom> RemoveCovered(HashSet<Atom> atoms)
    {
        var wildcards = atoms.Where(a => a.HasWildcard).ToList();
        return [.. atoms.Where(a => !wildcards.Any(w => !w.Equals(a) && a.IsCoveredBy(w)))];
    }

    private static List<string> Normalize(IEnumerable<string> operations)
    {
        var set = operations.ToHashSet(StringComparer.Ordinal);
        return set.Contains(W) || Operations.Concrete.All(set.Contains) ? [W] : Sorted(set);
    }

    private static List<string> Sorted(IEnumerable<string> values) => [.. values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private readonly record struct Atom(string Group, string Version, ResourcePattern Resource, string Operation)
    {
        public bool HasWildcard => Group == W || Version == W || Operation == W || Resource.Resource == W || Resource.SubResource == W;

        public bool IsCoveredBy(Atom other) =>
            (other.Group == W || other.Group == Group) &&
            (other.Version == W || other.Version == Version) &&
            (other.Operation == W || other.Operation == Operation) &&
            Resource.IsCoveredBy(other.Resource);
    }
}
