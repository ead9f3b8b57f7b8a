using JitAdmission.Controller.Policies;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Validation;
using static JitAdmission.Controller.Tests.Support.Objects;

namespace JitAdmission.Controller.Tests.Policies;

public sealed class PolicyStatusBuilderTests
{
    [Fact]
    public void A_valid_policy_is_ready_with_its_generation_and_counts()
    {
        var policy = Policy("prod");
        policy.Metadata.Generation = 3;

        var status = PolicyStatusBuilder.Build(policy, [], pending: 2, approved: 1, T0);

        var ready = Assert.Single(status.Conditions);
        Assert.Equal(("Ready", "True", "Valid", 3L), (ready.Type, ready.Status, ready.Reason, ready.ObservedGeneration));
        Assert.Equal((3L, 2, 1), (status.ObservedGeneration, status.PendingRequests, status.ApprovedRequests));
    }

    [Fact]
    public void A_cel_error_makes_it_not_ready_with_the_error_and_a_warning_is_due_once()
    {
        var policy = Policy("prod", configure: s => s.Conditions.Add(new() { Name = "big", Expression = "object.spec.replicas >" }));
        var errors = PolicyValidator.Validate(policy);
        Assert.NotEmpty(errors);

        var invalid = PolicyStatusBuilder.Build(policy, errors, 0, 0, T0);
        var ready = invalid.Conditions[0];
        Assert.Equal(("False", "InvalidSpec"), (ready.Status, ready.Reason));
        Assert.Contains("spec.conditions[0].expression", ready.Message, StringComparison.Ordinal);
        Assert.True(PolicyStatusBuilder.NewlyInvalid(null, invalid));

        policy.Status = invalid;
        var same = PolicyStatusBuilder.Build(policy, errors, 0, 0, T0.AddMinutes(5));
        Assert.False(PolicyStatusBuilder.Differs(invalid, same));
        Assert.False(PolicyStatusBuilder.NewlyInvalid(invalid, same));
    }

    [Fact]
    public void LastTransitionTime_moves_only_when_readiness_changes()
    {
        var policy = Policy("prod");
        var ready = PolicyStatusBuilder.Build(policy, [], 0, 0, T0);
        policy.Status = ready;

        var counted = PolicyStatusBuilder.Build(policy, [], 1, 0, T0.AddMinutes(1));
        Assert.True(PolicyStatusBuilder.Differs(ready, counted));
        Assert.Equal(TimeText.ToApi(T0), counted.Conditions[0].LastTransitionTime);

        var broken = PolicyStatusBuilder.Build(policy, ["spec.approval.approvers: at least one approver entry is required"], 1, 0, T0.AddMinutes(2));
        Assert.Equal(TimeText.ToApi(T0.AddMinutes(2)), broken.Conditions[0].LastTransitionTime);
        Assert.True(PolicyStatusBuilder.NewlyInvalid(ready, broken));
    }
}
