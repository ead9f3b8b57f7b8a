using JitAdmission.Core.Admission;
using JitAdmission.Core.Messages;
using JitAdmission.Core.Tests.Admission;

namespace JitAdmission.Core.Tests.Messages;

/// <summary>The dry-run notice tools read (kubectl jit apply builds change sets from it): written and read here only.</summary>
public class DryRunNoticeTests
{
    public static TheoryData<DryRunNotice> Notices => new()
    {
        new DryRunNotice(["prod-changes"]),
        new DryRunNotice(["incident.example.com", "prod-changes"]),
        new DryRunNotice(["prod-changes"], "prod", "deployments-web-0123456789"),
    };

    [Theory]
    [MemberData(nameof(Notices))]
    public void A_notice_reads_back_as_written(DryRunNotice notice)
    {
        var read = DryRunNotice.TryParse(notice.Format());
        Assert.NotNull(read);
        Assert.Equal(notice.Policies, read.Policies);
        Assert.Equal((notice.CoveredByNamespace, notice.CoveredByName, notice.Covered), (read.CoveredByNamespace, read.CoveredByName, read.Covered));
    }

    [Theory]
    [InlineData("dry run: the real request would need approval (policy p); no approval request was created")]
    [InlineData("jit-admission dry run: needs approval of policies ")]
    [InlineData("jit-admission dry run: needs approval of policies Not_A_Name")]
    [InlineData("jit-admission dry run: covered by approvalrequest prod (policies p)")]
    [InlineData("jit-admission dry run: covered by approvalrequest prod/x (policies p")]
    [InlineData("some other webhook: needs approval of policies p")]
    public void Anything_else_is_not_a_notice(string warning) => Assert.Null(DryRunNotice.TryParse(warning));

    [Fact]
    public void The_gate_adds_the_notice_to_a_gated_dry_run_naming_the_policies_and_any_approval_it_would_use()
    {
        var world = new EngineWorld { Change = EngineWorld.DefaultChange().DryRun() };
        var notice = world.Verdict().Warnings.Select(DryRunNotice.TryParse).OfType<DryRunNotice>().Single();
        Assert.Equal(["p"], notice.Policies);
        Assert.False(notice.Covered);

        world.ExistingFor(reviews: EngineWorld.ApprovedByBob());
        var covered = world.Verdict().Warnings.Select(DryRunNotice.TryParse).OfType<DryRunNotice>().Single();
        Assert.Equal(("prod", world.Requests[0].Metadata.Name), (covered.CoveredByNamespace, covered.CoveredByName));
    }
}
