using JitAdmission.Core.Cel;
using JitAdmission.Core.Scheduling;

namespace JitAdmission.Core.Validation;

/// <summary>What validating a policy produced.</summary>
/// <param name="MatchValid">No error under <c>spec.match</c>: the match fields can be trusted to narrow an invalid policy.</param>
internal sealed record PolicyAnalysis(
    IReadOnlyList<string> Errors,
    bool MatchValid,
    IReadOnlyList<CompiledCondition> Conditions,
    ParsedSchedule? Schedule)
{
    /// <summary>The policy's <c>approval.autoApprove</c> rules compiled, in spec order.</summary>
    public IReadOnlyList<CompiledCondition> AutoApprovals { get; init; } = [];
}
