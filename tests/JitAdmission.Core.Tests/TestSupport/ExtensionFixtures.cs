using JitAdmission.Core.Api;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.TestSupport;

/// <summary>Grant policies with and without extensions, and Grant requests by alice in prod that extend one another.</summary>
public static class ExtensionFixtures
{
    /// <summary>Grant, validFor 15m, two automatic extensions.</summary>
    public static readonly ApprovalPolicy Auto = GrantPolicy("auto", 2, ExtensionApproval.Automatic);
    /// <summary>Grant, validFor 15m, one extension that needs a review; maxUses 1.</summary>
    public static readonly ApprovalPolicy Reviewed = GrantPolicy("reviewed", 1, ExtensionApproval.Required, maxUses: 1);
    /// <summary>Grant, validFor 15m, no extensions.</summary>
    public static readonly ApprovalPolicy NoExtensions = GrantPolicy("none", 0, ExtensionApproval.Automatic);

    public static ApprovalPolicy GrantPolicy(string name, int max, ExtensionApproval approval, int? maxUses = null) =>
        Policy(name, s =>
        {
            s.Approval.Scope = ApprovalScope.Grant;
            s.Approval.ValidFor = "15m";
            s.Approval.MaxUses = maxUses;
            s.Approval.Extensions = new ExtensionSettings { Max = max, Approval = approval };
        }, Group("sre"));

    /// <summary>alice's Grant of <paramref name="policy"/> in prod named <paramref name="name"/>, created at <paramref name="created"/>.</summary>
    public static ApprovalRequest Grant(string name, string policy, DateTimeOffset created, string? extends = null, params Review[] reviews)
    {
        var request = Request([policy], scope: ApprovalScope.Grant, created: created, reviews: reviews);
        request.Metadata.Name = name;
        request.Spec.Action = new RequestedAction { Operation = "*", Namespace = "prod" };
        request.Spec.Extends = extends;
        return request;
    }

    /// <summary>An approved Grant: bob of sre approved it a minute after it was created.</summary>
    public static ApprovalRequest Approved(string name, string policy, DateTimeOffset created, string? extends = null) =>
        Grant(name, policy, created, extends, Approve("bob", created.AddMinutes(1), "sre"));
}
