namespace JitAdmission.Core.Matching;

/// <summary>Kubernetes label selector semantics: all of matchLabels and matchExpressions must hold; an empty
/// selector matches everything (a null selector is "no constraint" and is handled by the caller).</summary>
public static class LabelSelectorMatcher
{
    public const string In = "In";
    public const string NotIn = "NotIn";
    public const string Exists = "Exists";
    public const string DoesNotExist = "DoesNotExist";

    public static bool IsEmpty(V1LabelSelector selector) =>
        (selector.MatchLabels is null || selector.MatchLabels.Count == 0) &&
        (selector.MatchExpressions is null || selector.MatchExpressions.Count == 0);

    public static bool Matches(V1LabelSelector selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector.MatchLabels is not null)
        {
            foreach (var (key, value) in selector.MatchLabels)
            {
                if (!labels.TryGetValue(key, out var actual) || actual != value) return false;
            }
        }

        if (selector.MatchExpressions is not null)
        {
            foreach (var requirement in selector.MatchExpressions)
            {
                if (!Matches(requirement, labels)) return false;
            }
        }

        return true;
    }

    private static bool Matches(V1LabelSelectorRequirement requirement, IReadOnlyDictionary<string, string> labels)
    {
        var present = labels.TryGetValue(requirement.Key ?? "", out var value);
        return requirement.OperatorProperty switch
        {
            In => present && Contains(requirement.Values, value!),
            NotIn => !present || !Contains(requirement.Values, value!),
            Exists => present,
            DoesNotExist => !present,
            // An unknown operator is a validation error; never let it widen a match.
            _ => false,
        };
    }

    private static bool Contains(IList<string>? values, string value) => values is not null && values.Contains(value);
}
