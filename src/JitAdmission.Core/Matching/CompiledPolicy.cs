using System.Security.Cryptography;
using JitAdmission.Core.Cel;
using JitAdmission.Core.Scheduling;
using JitAdmission.Core.Validation;

namespace JitAdmission.Core.Matching;

/// <summary>
/// An ApprovalPolicy prepared for evaluation: validated, CEL compiled, schedule parsed, rules split. Built once per
/// policy generation. An invalid policy (non-empty <see cref="Errors"/>) is kept: it still matches by resource and then
/// evaluates to an error, so an Enforce policy fails closed instead of silently letting changes through.
/// </summary>
public sealed class CompiledPolicy
{
    private CompiledPolicy(ApprovalPolicy policy, PolicyAnalysis analysis, IReadOnlyList<CompiledResourceRule> rules, string? specHash)
    {
        Policy = policy;
        Name = policy.Metadata.Name ?? "";
        Uid = policy.Metadata.Uid ?? "";
        Generation = policy.Metadata.Generation ?? 0;
        Conditions = analysis.Conditions;
        AutoApprovals = analysis.AutoApprovals;
        Schedule = analysis.Schedule;
        Errors = analysis.Errors;
        MatchValid = analysis.MatchValid;
        Rules = rules;
        SpecHash = specHash;
    }

    public string Name { get; }
    public string Uid { get; }
    public long Generation { get; }
    public ApprovalPolicy Policy { get; }
    public Enforcement Enforcement => Policy.Spec.Enforcement;
    public IReadOnlyList<CompiledCondition> Conditions { get; }
    /// <summary><c>approval.autoApprove</c> compiled, index for index.</summary>
    public IReadOnlyList<CompiledCondition> AutoApprovals { get; }
    /// <summary>Null when the policy has no schedule (always active) or the schedule is invalid (see <see cref="Errors"/>).</summary>
    public ParsedSchedule? Schedule { get; }
    public IReadOnlyList<string> Errors { get; }
    public bool IsValid => Errors.Count == 0;
    public IReadOnlyList<CompiledResourceRule> Rules { get; }

    /// <summary>No error under spec.match, so namespaces, names, subjects and selectors can still narrow an invalid policy.</summary>
    internal bool MatchValid { get; }

    /// <summary>Identity of the spec when the API server gave no generation (objects not yet stored, tests).</summary>
    internal string? SpecHash { get; }

    public static CompiledPolicy Compile(ApprovalPolicy policy)
    {
        var analysis = PolicyValidator.Analyze(policy);
        var rules = policy.Spec.Match.Resources.Select(CompiledResourceRule.From).ToArray();
        return new CompiledPolicy(policy, analysis, rules, (policy.Metadata.Generation ?? 0) == 0 ? HashSpec(policy) : null);
    }

    /// <summary>Whether this compilation is still right for <paramref name="policy"/>: same object (uid) and
    /// same generation, or the same spec when there is no generation.</summary>
    internal bool IsCurrentFor(ApprovalPolicy policy)
    {
        if ((policy.Metadata.Name ?? "") != Name || (policy.Metadata.Uid ?? "") != Uid) return false;
        var generation = policy.Metadata.Generation ?? 0;
        if (generation != Generation) return false;
        return generation != 0 || HashSpec(policy) == SpecHash;
    }

    /// <summary>The same compilation for a newer copy of the object (metadata or status changed, spec did not).</summary>
    internal CompiledPolicy WithPolicy(ApprovalPolicy policy) =>
        ReferenceEquals(policy, Policy) ? this : new CompiledPolicy(policy, new PolicyAnalysis(Errors, MatchValid, Conditions, Schedule) { AutoApprovals = AutoApprovals }, Rules, SpecHash);

    private static string HashSpec(ApprovalPolicy policy) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(k8s.KubernetesJson.Serialize(policy.Spec))));

    public override string ToString() => Name;
}
