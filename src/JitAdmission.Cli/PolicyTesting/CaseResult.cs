using JitAdmission.Core.Matching;

namespace JitAdmission.Cli.PolicyTesting;

/// <summary>A policy that applies to a case's request, with its enforcement.</summary>
internal sealed record AppliedPolicy(string Name, Enforcement Enforcement);

/// <summary>What jit-admission's engine decided for one case.</summary>
internal sealed record CaseResult
{
    public required CaseOutcome Outcome { get; init; }

    /// <summary>Every policy that applies (matched, or failed to evaluate), in name order.</summary>
    public required IReadOnlyList<AppliedPolicy> Policies { get; init; }

    /// <summary>The scope of the ApprovalRequest the gate would create; null when no Enforce policy matched.</summary>
    public ApprovalScope? Scope { get; init; }

    /// <summary>The approver entries the request would need (every gating policy's, each satisfied on its own).</summary>
    public IReadOnlyList<ApproverEntry> Approvers { get; init; } = [];

    /// <summary>
    /// The auto-approval rules that held for the call ("policy/rule"), recorded on the request the gate would create; they
    /// satisfy the approver entries they name. Empty when none held, and for break-glass, which rules never approve.
    /// </summary>
    public IReadOnlyList<string> AutoApprovedBy { get; init; } = [];

    /// <summary>The webhook's message kubectl would show: why it is denied, or what approval it needs; null when allowed.</summary>
    public string? Message { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Every policy's verdict on the request, applied or not, with the reason: why a case matched or did not.</summary>
    public IReadOnlyList<PolicyEvaluation> Evaluations { get; init; } = [];

    /// <summary>Why nothing is gated whatever the policies say (a trusted controller, jit-admission's own API); null otherwise.</summary>
    public string? Note { get; init; }

    public bool Gated => Policies.Count > 0;

    /// <summary>The strongest enforcement among the policies that apply: Enforce, then Warn, then Audit.</summary>
    public Enforcement? Enforcement => Policies.Count == 0 ? null : Policies.Min(p => p.Enforcement);
}
