using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;
using static JitAdmission.Core.Tests.TestSupport.ExtensionFixtures;

namespace JitAdmission.Core.Tests.Approval;

/// <summary>How an extension is evaluated over time (docs/approvals.md "Extending a Grant").</summary>
public class ApprovalExtensionTests
{
    [Fact]
    public void An_automatic_extension_is_approved_from_its_creation_for_the_policy_s_window()
    {
        var extension = Grant("g-ext-1", "auto", At(10), "g");

        var e = Evaluate(extension, At(10, 30), Auto);

        Assert.Equal(RequestPhase.Approved, e.Phase);
        Assert.True(e.IsUsable);
        Assert.Equal(At(10), e.ApprovedAt);
        Assert.Equal(At(25), e.ValidUntil);
        Assert.Equal("g", e.ApprovedByExtension);
        Assert.Equal("approved automatically as an extension of g; the approval ends at 2025-03-01T12:25:00Z", e.StatusMessage);
        Assert.Equal("extends g", e.ToStatus(null, At(10, 30)).Approvals);
    }

    [Fact]
    public void It_ends_with_its_window()
    {
        var extension = Grant("g-ext-1", "auto", At(10), "g");

        var e = Evaluate(extension, At(25), Auto);

        Assert.Equal(RequestPhase.Expired, e.Phase);
        Assert.False(e.IsUsable);
        Assert.Equal("expired: the automatic extension of g ended at 2025-03-01T12:25:00Z", e.StatusMessage);
    }

    [Theory]
    [InlineData("5m", 15)]
    [InlineData("1h", 25)]
    [InlineData("0s", 25)]
    public void Its_own_validFor_only_shortens_the_window(string validFor, int endsAtMinute)
    {
        var extension = Grant("g-ext-1", "auto", At(10), "g");
        extension.Spec.ValidFor = validFor;

        Assert.Equal(At(endsAtMinute), Evaluate(extension, At(11), Auto).ValidUntil);
    }

    [Fact]
    public void A_reviewed_extension_waits_for_its_review_and_its_window_starts_then()
    {
        var extension = Grant("r-ext-1", "reviewed", At(10), "r");

        var pending = Evaluate(extension, At(11), Reviewed);
        extension.Spec.Reviews.Add(Approve("bob", At(12), "sre"));
        var approved = Evaluate(extension, At(13), Reviewed);

        Assert.Equal(RequestPhase.Pending, pending.Phase);
        Assert.Null(pending.ApprovedByExtension);
        Assert.Equal(RequestPhase.Approved, approved.Phase);
        Assert.Equal(At(27), approved.ValidUntil);
        Assert.Null(approved.ApprovedByExtension);
        Assert.Equal("1/1", approved.ToStatus(null, At(13)).Approvals);
    }

    [Fact]
    public void An_approver_can_still_deny_an_automatic_extension()
    {
        var extension = Grant("g-ext-1", "auto", At(10), "g", Deny("bob", At(12), "enough", "sre"));

        var e = Evaluate(extension, At(12), Auto);

        Assert.Equal(RequestPhase.Denied, e.Phase);
        Assert.False(e.IsUsable);
    }

    [Fact]
    public void A_policy_that_no_longer_allows_automatic_extensions_needs_a_review()
    {
        var extension = Grant("g-ext-1", "auto", At(10), "g");

        Assert.Equal(RequestPhase.Pending, Evaluate(extension, At(11), GrantPolicy("auto", 0, ExtensionApproval.Automatic)).Phase);
        Assert.Equal(RequestPhase.Pending, Evaluate(extension, At(11), GrantPolicy("auto", 2, ExtensionApproval.Required)).Phase);
    }

    [Fact]
    public void Every_policy_must_say_automatic()
    {
        var extension = Grant("g-ext-1", "auto", At(10), "g");
        extension.Spec.Policies = ["auto", "reviewed"];

        var e = Evaluate(extension, At(11), Auto, Reviewed);

        Assert.Equal(RequestPhase.Pending, e.Phase);
        Assert.Equal(ExtensionApproval.Required, e.Effective.ExtensionApproval);
        Assert.Equal(1, e.Effective.MaxExtensions);
    }

    [Fact]
    public void A_missing_policy_approves_nothing()
    {
        var extension = Grant("g-ext-1", "auto", At(10), "g");
        extension.Spec.Policies = ["auto", "gone"];

        Assert.Equal(RequestPhase.Pending, Evaluate(extension, At(11), Auto).Phase);
    }

    [Fact]
    public void A_break_glass_record_is_never_approved_by_extension()
    {
        var extension = Grant("g-ext-1", "auto", At(10), "g");
        extension.Spec.BreakGlass = true;

        var e = Evaluate(extension, At(11), Auto);

        Assert.Equal(RequestPhase.BreakGlass, e.Phase);
        Assert.Equal(BreakGlassReview.Pending, e.BreakGlassReview);
        Assert.Null(e.ApprovedByExtension);
    }

    [Fact]
    public void Exact_policies_allow_no_extensions()
    {
        var exact = Policy("exact", s => s.Approval.Extensions = new ExtensionSettings { Max = 3, Approval = ExtensionApproval.Automatic }, Group("sre"));

        Assert.Equal(0, EffectiveApproval.From([exact]).MaxExtensions);
        Assert.Equal(2, EffectiveApproval.From([Auto]).MaxExtensions);
        Assert.Equal(0, EffectiveApproval.From([Auto, NoExtensions]).MaxExtensions);
    }
}
