using System.Diagnostics.CodeAnalysis;

namespace JitAdmission.Core.Matching;

/// <summary>
/// One entry of a rule's <c>resources</c>, split as Kubernetes webhook rules do: <c>pods</c> (main resource only),
/// <c>pods/exec</c>, <c>pods/*</c> (the resource and all its subresources), <c>*</c> (every resource, no subresources),
/// <c>*/scale</c>, <c>*/*</c> (everything).
/// </summary>
public readonly record struct ResourcePattern(string Resource, string SubResource)
{
    public const string Wildcard = "*";

    public bool Matches(string resource, string subResource) =>
        (Resource == Wildcard || Resource == resource) && (SubResource == Wildcard || SubResource == subResource);

    /// <summary>True when every request this pattern matches is also matched by <paramref name="other"/>.</summary>
    public bool IsCoveredBy(ResourcePattern other) =>
        (other.Resource == Wildcard || other.Resource == Resource) && (other.SubResource == Wildcard || other.SubResource == SubResource);

    public override string ToString() => SubResource.Length == 0 ? Resource : Resource + "/" + SubResource;

    /// <summary>Parses the forms Kubernetes accepts; anything else (globs such as <c>deploy*</c>, upper case, empty
    /// parts) is rejected so that the webhook configuration built from policies is always valid.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ResourcePattern? pattern, out string error)
    {
        pattern = null;
        error = "";
        if (string.IsNullOrEmpty(text))
        {
            error = "must not be empty";
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var resource = slash < 0 ? text : text[..slash];
        var sub = slash < 0 ? "" : text[(slash + 1)..];
        if (!IsPart(resource) || (slash >= 0 && !IsPart(sub)))
        {
            error = $"\"{text}\" is not a resource: use a lower-case plural name, NAME/SUBRESOURCE, or * in place of either part (*, */scale, pods/*)";
            return false;
        }

        pattern = new ResourcePattern(resource, sub);
        return true;
    }

    private static bool IsPart(string part) => part == Wildcard || NameRules.IsResourceName(part);
}
