namespace JitAdmission.Cli.Kube;

/// <summary>
/// The ApprovalPolicies as the caller can read them. Requesters often may not read cluster-scoped policies; then
/// <see cref="Policies"/> is null, <see cref="Unavailable"/> says why, and commands fall back to the request's status.
/// </summary>
internal sealed record PolicySnapshot(IReadOnlyList<ApprovalPolicy>? Policies, string? Unavailable)
{
    public bool Available => Policies is not null;

    public ApprovalPolicy? Find(string name) => Policies?.FirstOrDefault(p => p.Metadata?.Name == name);

    /// <summary>The named policies that exist (the evaluator treats the others as missing).</summary>
    public IReadOnlyList<ApprovalPolicy> Named(IEnumerable<string> names) =>
        Policies is null ? [] : [.. names.Distinct(StringComparer.Ordinal).Select(Find).OfType<ApprovalPolicy>()];
}
