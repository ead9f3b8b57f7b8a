using JitAdmission.Core.Api;
using static JitAdmission.Integration.Tests.EndToEnd.Manifests;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>Reviews through real kubectl: only your own honest review counts, nothing else in a request can be changed.</summary>
[Collection(EndToEndGroup.Name)]
public sealed class ReviewGuardTests(JitCluster cluster)
{
    private const string GuardDenied = "admission webhook \"guard.jitadmission.io\" denied the request";

    /// <summary>alice's change to a gated Deployment, denied at once: its Pending request.</summary>
    private async Task<(string Namespace, string Request)> PendingAsync(string prefix)
    {
        var ns = await cluster.NamespaceAsync(prefix);
        await cluster.ApplyAsync(Deployment(ns, 1));
        await cluster.ApplyAsync(DeploymentPolicy(ns + "-deployments", ns, wait: "0s"));
        await JitCluster.WaitUntilGatedAsync(() => cluster.Piped("alice", Deployment(ns, 2), "apply", "--dry-run=server", "-f", "-"));
        Assert.False((await cluster.Piped("alice", Deployment(ns, 3), "apply", "-f", "-")).Succeeded);
        return (ns, (await cluster.FirstRequestAsync(ns)).Metadata.Name);
    }

    private async Task AssertStillPendingAsync(string ns, string request)
    {
        var current = await cluster.RequestAsync(ns, request);
        Assert.Empty(current.Spec.Reviews);
        Assert.NotEqual(RequestPhase.Approved, current.Status?.Phase);
        var retry = await cluster.Piped("alice", Deployment(ns, 3), "apply", "-f", "-");
        Assert.Contains("needs approval", retry.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_approver_approves_with_the_plain_patch_and_the_groups_are_stamped()
    {
        var (ns, request) = await PendingAsync("stamp");

        cluster.Require(await cluster.ReviewAsync("bob", ns, request, "bob"));

        var review = Assert.Single((await cluster.RequestAsync(ns, request)).Spec.Reviews);
        Assert.Equal("bob", review.Reviewer);
        Assert.Equal(["sre", "system:authenticated"], review.Groups);
        Assert.NotNull(review.Time);
        Assert.True(Math.Abs((review.Time!.Value.ToUniversalTime() - DateTime.UtcNow).TotalMinutes) < 2, $"stamped with the time of the review ({review.Time:O})");
        cluster.Require(await cluster.Piped("alice", Deployment(ns, 3), "apply", "-f", "-"));
    }

    [Fact]
    public async Task Self_approval_is_rejected()
    {
        var (ns, request) = await PendingAsync("self");
        // alice may review in her namespace (a team lead): RBAC lets her patch, the policy still wants someone else.
        await cluster.Sandbox.BindAsync("jit-admission-approver", "alice", ns);

        var self = await cluster.ReviewAsync("alice", ns, request, "alice");

        Assert.False(self.Succeeded);
        Assert.Contains(GuardDenied, self.Stderr, StringComparison.Ordinal);
        Assert.Contains("you requested this change", self.Stderr, StringComparison.Ordinal);
        Assert.Contains("self-approval is not allowed", self.Stderr, StringComparison.Ordinal);
        await AssertStillPendingAsync(ns, request);
    }

    [Fact]
    public async Task A_review_in_someone_elses_name_is_rejected()
    {
        var (ns, request) = await PendingAsync("forge");
        await cluster.Sandbox.BindAsync("jit-admission-approver", "alice", ns);

        var forged = await cluster.ReviewAsync("alice", ns, request, "bob");

        Assert.False(forged.Succeeded);
        Assert.Contains(GuardDenied, forged.Stderr, StringComparison.Ordinal);
        Assert.Contains("reviewer must be your own username \"alice\", not \"bob\"", forged.Stderr, StringComparison.Ordinal);
        await AssertStillPendingAsync(ns, request);
    }

    [Fact]
    public async Task Claimed_groups_are_replaced_by_the_real_ones_so_a_forged_group_gains_nothing()
    {
        var (ns, request) = await PendingAsync("groups");

        var forged = await cluster.ReviewAsync("carol", ns, request, "carol", extra: ",\"groups\":[\"sre\"]");

        Assert.False(forged.Succeeded);
        Assert.Contains(GuardDenied, forged.Stderr, StringComparison.Ordinal);
        Assert.Contains("\"carol\" is not an approver for this request", forged.Stderr, StringComparison.Ordinal);
        await AssertStillPendingAsync(ns, request);
    }

    [Fact]
    public async Task The_spec_cannot_be_edited()
    {
        var (ns, request) = await PendingAsync("edit");

        // bob may patch requests (an approver): what he may change is a review, nothing else.
        var edit = await cluster.As("bob", "patch", "areq", request, "-n", ns, "--type=merge", "-p", """{"spec":{"reason":"approved already, trust me"}}""");
        var widen = await cluster.As("bob", "patch", "areq", request, "-n", ns, "--type=merge", "-p", """{"spec":{"scope":"Grant"}}""");

        Assert.False(edit.Succeeded);
        Assert.Contains("immutable", edit.Stderr, StringComparison.Ordinal);
        Assert.False(widen.Succeeded);
        var current = await cluster.RequestAsync(ns, request);
        Assert.Equal(ApprovalScope.Exact, current.Spec.Scope);
        Assert.Equal("", current.Spec.Reason);
    }

    [Fact]
    public async Task Only_jit_admission_writes_the_status()
    {
        var (ns, request) = await PendingAsync("status");

        // root is a cluster admin: RBAC lets him write status, the guard does not.
        var write = await cluster.As("root", "patch", "areq", request, "-n", ns, "--subresource=status", "--type=merge", "-p",
            """{"status":{"phase":"Approved","uses":0}}""");

        Assert.False(write.Succeeded);
        Assert.Contains(GuardDenied, write.Stderr, StringComparison.Ordinal);
        Assert.Contains("written only by jit-admission, not by \"root\"", write.Stderr, StringComparison.Ordinal);
        await AssertStillPendingAsync(ns, request);
    }
}
