namespace JitAdmission.Core.Matching;

public enum PolicyOutcome
{
    NotMatched,
    Matched,
    /// <summary>The policy could not be evaluated (invalid policy, CEL error, unreadable object, unknown namespace):
    /// deny for Enforce, warn for Warn/Audit.</summary>
    Error,
}

/// <summary>The part of a policy that decided the outcome, in evaluation order.</summary>
public enum MatchStage
{
    Resource,
    Namespace,
    Name,
    Subject,
    NamespaceSelector,
    ObjectSelector,
    /// <summary>The policy itself is invalid.</summary>
    Policy,
    Schedule,
    Condition,
    /// <summary>Every part matched.</summary>
    Complete,
}

/// <summary>One policy's verdict on one request; <see cref="Reason"/> says which part did not match or what failed.</summary>
public sealed record PolicyEvaluation(CompiledPolicy Policy, PolicyOutcome Outcome, MatchStage Stage, string Reason)
{
    public bool IsMatched => Outcome == PolicyOutcome.Matched;
    public bool IsError => Outcome == PolicyOutcome.Error;

    public override string ToString() => $"{Policy.Name}: {Outcome} at {Stage}: {Reason}";
}
