using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Approval;

public class ApprovalUseTests
{
    private static ApprovalPolicy Prod(int? maxUses, ApprovalScope scope = ApprovalScope.Object) =>
        Policy("prod", s => { s.Approval.MaxUses = maxUses; s.Approval.Scope = scope; }, Group("sre"));

    private static (ApprovalRequest Request, ApprovalPolicy Policy) Approved(int? maxUses, ApprovalScope scope = ApprovalScope.Object)
    {
        var request = Request(["prod"], scope: scope, reviews: Approve("bob", At(1), "sre"));
        var policy = Prod(maxUses, scope);
        request.Status = ApprovalEvaluator.Evaluate(request, [policy], At(2)).ToStatus(null, At(2));
        return (request, policy);
    }

    private static ApprovalRequestStatus Use(ApprovalRequest request, ApprovalPolicy policy, DateTimeOffset now, string uid = "uid-1")
    {
        var evaluation = ApprovalEvaluator.Evaluate(request, [policy], now);
        var status = ApprovalUse.Record(request.Status!, evaluation, Change(uid: uid), now);
        request.Status = status;
        return status;
    }

    public static TheoryData<string, int?, ApprovalScope, int, RequestPhase> Cases => new()
    {
        { "Exact default: one use consumes", null, ApprovalScope.Exact, 1, RequestPhase.Consumed },
        { "maxUses 3: two uses leave it approved", 3, ApprovalScope.Object, 2, RequestPhase.Approved },
        { "maxUses 3: the third consumes", 3, ApprovalScope.Object, 3, RequestPhase.Consumed },
        { "maxUses 0: unlimited", 0, ApprovalScope.Object, 5, RequestPhase.Approved },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_use_counts_and_the_last_consumes(string what, int? maxUses, ApprovalScope scope, int uses, RequestPhase phase)
    {
        var (request, policy) = Approved(maxUses, scope);
        ApprovalRequestStatus status = request.Status!;
        for (var i = 0; i < uses; i++) status = Use(request, policy, At(3, i), $"uid-{i}");

        Assert.True((uses, phase) == (status.Uses, status.Phase), $"{what}: {status.Uses} {status.Phase}");
        Assert.Equal(TimeText.ToApi(At(1)), status.ApprovedAt);
        Assert.Equal(TimeText.ToApi(At(16)), status.ValidUntil);
        Assert.Equal(uses, status.Usage.Count);
        Assert.Equal($"uid-{uses - 1}", status.Usage[^1].AdmissionUid);
    }

    [Fact]
    public void The_controller_agrees_with_the_status_a_use_wrote()
    {
        var (request, policy) = Approved(3);
        var afterUse = Use(request, policy, At(3));
        var reconciled = ApprovalEvaluator.Evaluate(request, [policy], At(4)).ToStatus(afterUse, At(4));
        Assert.False(ApprovalStatusComparer.Differs(afterUse, reconciled));

        var (single, singlePolicy) = Approved(null, ApprovalScope.Exact);
        var consumed = Use(single, singlePolicy, At(3));
        Assert.Equal("Consumed", consumed.Conditions.Single(c => c.Type == ApprovalConditions.Approved).Reason);
        var afterConsume = ApprovalEvaluator.Evaluate(single, [singlePolicy], At(4)).ToStatus(consumed, At(4));
        Assert.False(ApprovalStatusComparer.Differs(consumed, afterConsume));
    }

    [Fact]
    public void Usage_keeps_the_last_twenty()
    {
        var (request, policy) = Approved(0);
        ApprovalRequestStatus status = request.Status!;
        for (var i = 0; i < 25; i++) status = Use(request, policy, At(3, i), $"uid-{i}");

        Assert.Equal(25, status.Uses);
        Assert.Equal(ApprovalUse.UsageHistory, status.Usage.Count);
        Assert.Equal("uid-5", status.Usage[0].AdmissionUid);
        Assert.Equal(("UPDATE", "alice"), (status.Usage[0].Operation, status.Usage[0].By));
    }

    [Fact]
    public void Using_an_unusable_approval_is_refused()
    {
        var (request, policy) = Approved(null, ApprovalScope.Exact);
        Use(request, policy, At(3));
        var spent = ApprovalEvaluator.Evaluate(request, [policy], At(4));
        Assert.Throws<ArgumentException>(() => ApprovalUse.Record(request.Status!, spent, Change(), At(4)));
    }
}
