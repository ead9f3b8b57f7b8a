namespace JitAdmission.Core.Cel;

public enum ConditionOutcome
{
    True,
    False,
    Error,
}

/// <summary>Whether a condition held; <see cref="Message"/> says why not (empty when true).</summary>
public readonly record struct ConditionResult(ConditionOutcome Outcome, string Message);
