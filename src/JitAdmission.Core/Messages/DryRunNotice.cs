namespace JitAdmission.Core.Messages;

/// <summary>
/// The warning line a dry run of a gated change carries for tools (<c>kubectl jit apply</c> builds change sets from
/// it): whether the real change needs approval, under which policies, or which approval would let it through. Owned
/// here with its parser so the two never drift; policy and request names cannot hold the separators used.
/// </summary>
public sealed record DryRunNotice(IReadOnlyList<string> Policies, string? CoveredByNamespace = null, string? CoveredByName = null)
{
    private const string Prefix = "jit-admission dry run: ";
    private const string NeedsApproval = "needs approval of policies ";
    private const string CoveredBy = "covered by approvalrequest ";

    /// <summary>An approval exists that the real change would use.</summary>
    public bool Covered => CoveredByName is not null;

    public string Format() => Covered
        ? $"{Prefix}{CoveredBy}{CoveredByNamespace}/{CoveredByName} (policies {string.Join(",", Policies)})"
        : $"{Prefix}{NeedsApproval}{string.Join(",", Policies)}";

    /// <summary>The notice in a warning; null for any other warning.</summary>
    public static DryRunNotice? TryParse(string warning)
    {
        ArgumentNullException.ThrowIfNull(warning);
        if (!warning.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var rest = warning[Prefix.Length..];
        if (rest.StartsWith(NeedsApproval, StringComparison.Ordinal)) return Valid(Names(rest[NeedsApproval.Length..]));
        if (!rest.StartsWith(CoveredBy, StringComparison.Ordinal)) return null;
        rest = rest[CoveredBy.Length..];
        var open = rest.IndexOf(" (policies ", StringComparison.Ordinal);
        if (open < 0 || !rest.EndsWith(')')) return null;
        var reference = rest[..open].Split('/');
        if (reference.Length != 2 || !NameRules.IsDnsLabel(reference[0]) || !NameRules.IsDnsSubdomain(reference[1])) return null;
        var policies = Names(rest[(open + " (policies ".Length)..^1]);
        return Valid(policies) is null ? null : new DryRunNotice(policies, reference[0], reference[1]);
    }

    private static List<string> Names(string list) => [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries)];

    private static DryRunNotice? Valid(List<string> policies) =>
        policies.Count > 0 && policies.All(NameRules.IsDnsSubdomain) ? new DryRunNotice(policies) : null;
}
