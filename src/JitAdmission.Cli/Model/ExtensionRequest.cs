using System.Globalization;
using JitAdmission.Core.Time;

namespace JitAdmission.Cli.Model;

/// <summary>
/// Builds the ApprovalRequest of <c>kubectl jit extend</c> (docs/approvals.md "Extending a Grant"): by the caller, for the
/// policies, scope and action of the request it extends, linked to it by <c>spec.extends</c>, named after it.
/// </summary>
internal static class ExtensionRequest
{
    private const string Marker = "-ext-";
    private const int MaxName = 253;

    public static ApprovalRequest Build(ApprovalRequest extended, CallerIdentity me, string reason, TimeSpan? validFor, string name)
    {
        ArgumentNullException.ThrowIfNull(extended);
        ArgumentNullException.ThrowIfNull(me);
        var old = extended.Spec;
        var a = old.Action;
        return new ApprovalRequest
        {
            Metadata = new V1ObjectMeta { NamespaceProperty = extended.Metadata?.NamespaceProperty, Name = name },
            Spec = new ApprovalRequestSpec
            {
                Policies = [.. old.Policies],
                Requester = me.ToRequester(),
                Action = new RequestedAction
                {
                    Operation = a.Operation, Group = a.Group, Version = a.Version, Resource = a.Resource,
                    SubResource = a.SubResource, Kind = a.Kind, Namespace = a.Namespace, Name = a.Name,
                },
                Scope = old.Scope,
                Reason = reason,
                Extends = extended.Metadata?.Name,
                ValidFor = validFor is { } v ? GoDuration.Format(v) : null,
                Reviews = [],
            },
        };
    }

    /// <summary>
    /// "web-grant-ext-1", then "-ext-2" … whichever extension of the chain is extended: the chain's first name with the
    /// next number not taken in the namespace.
    /// </summary>
    public static string NextName(string extended, IEnumerable<string> taken)
    {
        ArgumentNullException.ThrowIfNull(extended);
        ArgumentNullException.ThrowIfNull(taken);
        var root = Root(extended);
        var prefix = (root.Length > MaxName - Marker.Length - 3 ? root[..(MaxName - Marker.Length - 3)].TrimEnd('-', '.') : root) + Marker;
        var used = taken
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => int.TryParse(n.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : 0)
            .DefaultIfEmpty(0)
            .Max();
        return prefix + (used + 1).ToString(CultureInfo.InvariantCulture);
    }

    private static string Root(string name)
    {
        var at = name.LastIndexOf(Marker, StringComparison.Ordinal);
        return at > 0 && name.Length > at + Marker.Length && name[(at + Marker.Length)..].All(char.IsAsciiDigit) ? name[..at] : name;
    }

    /// <summary>Names of the requests in <paramref name="all"/> that extend <paramref name="name"/>, oldest first.</summary>
    public static List<string> ExtendedBy(string name, IEnumerable<ApprovalRequest> all)
    {
        ArgumentNullException.ThrowIfNull(all);
        return [.. all
            .Where(r => r.Spec?.Extends == name)
            .OrderBy(r => r.Metadata?.CreationTimestamp ?? DateTime.MaxValue)
            .ThenBy(r => r.Metadata?.Name, StringComparer.Ordinal)
            .Select(r => r.Metadata?.Name ?? "")];
    }
}
