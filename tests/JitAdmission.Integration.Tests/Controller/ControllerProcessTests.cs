using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Integration.Tests.Controller.Support;
using JitAdmission.Integration.Tests.KubernetesEdge.Support;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;

namespace JitAdmission.Integration.Tests.Controller;

/// <summary>
/// The real binary reconciling what users do with real kubectl: expiry on time, reviews, Events, policy readiness,
/// retention and notifications. Reviewers review as themselves (the stamping webhook adds their groups and time);
/// the admin's kubeconfig is also jit-admission's identity here, so the admin never reviews.
/// </summary>
public sealed class ControllerProcessTests(ControllerProcessFixture fixture) : IClassFixture<ControllerProcessFixture>
{
    private readonly IKubernetes _admin = fixture.Admin;

    private async Task<string> NamespaceAsync(string prefix) => await _admin.NewNamespaceAsync(prefix);

    private async Task KubectlAsync(params string[] args)
    {
        var result = await fixture.Sandbox.AdminKubectlAsync(args);
        Assert.True(result.Succeeded, result.ToString());
    }

    private async Task ReviewAsync(string ns, string name, string reviewer, string decision, string group, string? comment = null)
    {
        var kubeconfig = await fixture.Sandbox.UserKubeconfigAsync(reviewer, group);
        await fixture.Sandbox.InstallUserRolesAsync();
        await fixture.Sandbox.BindAsync("jit-admission-approver", reviewer);
        var result = await fixture.Sandbox.KubectlAsync(kubeconfig, ["patch", "areq", name, "-n", ns, "--type=json", "-p", Manifests.PlainReview(reviewer, decision, comment)]);
        Assert.True(result.Succeeded, result.ToString());
    }

    private async Task<string> ColumnsAsync(string ns, string name)
    {
        var get = await fixture.Sandbox.AdminKubectlAsync("get", "areq", name, "-n", ns, "--no-headers");
        Assert.True(get.Succeeded, get.ToString());
        return string.Join(' ', get.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_request_expires_within_two_seconds_of_its_deadline_and_is_deleted_after_the_retention()
    {
        var ns = await NamespaceAsync("expiry");
        await fixture.Sandbox.ApplyAsync(Manifests.Policy("proc-expiry", ttl: "4s"));
        await fixture.Sandbox.ApplyAsync(Manifests.Request(ns, "r1", "proc-expiry"));

        var pending = await fixture.WithLogAsync(() => _admin.WaitForRequestAsync(ns, "r1", r => r.Status?.Phase == RequestPhase.Pending));
        var expiresAt = TimeText.FromApi(pending.Status!.ExpiresAt!.Value);
        Assert.Equal(TimeText.FromApi(pending.Metadata.CreationTimestamp!.Value) + TimeSpan.FromSeconds(4), expiresAt);

        var expired = await fixture.WithLogAsync(() => _admin.WaitForRequestAsync(ns, "r1", r => r.Status?.Phase == RequestPhase.Expired, TimeSpan.FromSeconds(15)));
        var seenExpired = DateTimeOffset.UtcNow;
        Assert.True(seenExpired <= expiresAt + TimeSpan.FromSeconds(2), $"expired at {expiresAt:O}, seen expired only at {seenExpired:O}");
        Assert.StartsWith("expired at ", expired.Status!.Message, StringComparison.Ordinal);

        await Poll.UntilAsync(async () => await _admin.GetRequestAsync(ns, "r1") is null, TimeSpan.FromSeconds(20), "deleted after the retention");
        var deleted = DateTimeOffset.UtcNow;
        Assert.True(deleted >= expiresAt + ControllerProcessFixture.Retention - TimeSpan.FromSeconds(1), $"deleted at {deleted:O}, before the retention after {expiresAt:O}");
        Assert.True(deleted <= seenExpired + ControllerProcessFixture.Retention + TimeSpan.FromSeconds(3), $"deleted only at {deleted:O}");
        // A 4s request is announced as Expiring in its last fifth, unless the controller first saw it later than that.
        await Poll.UntilAsync(async () => (await _admin.EventReasonsAsync(ns, "r1")).Where(r => r != "Expiring").SequenceEqual(["Pending", "Expired"]),
            because: "Events Pending, Expired");
    }

    [Fact]
    public async Task Reviews_move_a_request_to_approved_with_progress_and_a_deny_denies_it_with_events()
    {
        var ns = await NamespaceAsync("reviews");
        await fixture.Sandbox.ApplyAsync(Manifests.Policy("proc-reviews", min: 2));
        await fixture.Sandbox.ApplyAsync(Manifests.Request(ns, "two-sres", "proc-reviews"));
        await fixture.WithLogAsync(() => _admin.WaitForRequestAsync(ns, "two-sres", r => r.Status?.Approvals == "0/2"));

        await ReviewAsync(ns, "two-sres", "bob", "Approve", "sre");
        await fixture.WithLogAsync(() => _admin.WaitForRequestAsync(ns, "two-sres", r => r.Status?.Approvals == "1/2" && r.Status.Phase == RequestPhase.Pending));
        Assert.StartsWith("two-sres Pending UPDATE deployments/web alice 1/2", await ColumnsAsync(ns, "two-sres"), StringComparison.Ordinal);

        await ReviewAsync(ns, "two-sres", "dave", "Approve", "sre");
        var approved = await fixture.WithLogAsync(() => _admin.WaitForRequestAsync(ns, "two-sres", r => r.Status?.Phase == RequestPhase.Approved));
        Assert.Equal("2/2", approved.Status!.Approvals);
        Assert.Equal(["bob", "dave"], approved.Status.Requirements.Single().ApprovedBy);
        Assert.StartsWith("two-sres Approved UPDATE deployments/web alice 2/2", await ColumnsAsync(ns, "two-sres"), StringComparison.Ordinal);
        await Poll.UntilAsync(async () => (await _admin.EventReasonsAsync(ns, "two-sres")).SequenceEqual(["Pending", "Approved"]), because: "Events Pending, Approved");

        await fixture.Sandbox.ApplyAsync(Manifests.Request(ns, "denied", "proc-reviews"));
        await ReviewAsync(ns, "denied", "carol", "Deny", "sre", "not during the freeze");
        var denied = await fixture.WithLogAsync(() => _admin.WaitForRequestAsync(ns, "denied", r => r.Status?.Phase == RequestPhase.Denied));
        Assert.Equal("denied by carol: not during the freeze", denied.Status!.Message);
        await Poll.UntilAsync(async () => (await _admin.EventReasonsAsync(ns, "denied")).Contains("Denied"), because: "Event Denied");
    }

    [Fact]
    public async Task Notifications_reach_the_receiver_despite_refusals_once_per_state_with_the_right_text()
    {
        var ns = await NamespaceAsync("notify");
        var url = fixture.Receiver.UrlFor("/hooks/proc-notify");
        await fixture.Sandbox.ApplyAsync(Manifests.Policy("proc-notify", notifyUrl: url, notifyEvents: ["Pending", "Approved", "Denied"]));
        await fixture.Sandbox.ApplyAsync(Manifests.Request(ns, "deployments-web-abc", "proc-notify", reason: "scale up for the sale"));

        var pending = await fixture.WithLogAsync(async () =>
        {
            await Poll.UntilAsync(() => fixture.Receiver.Accepted("/hooks/proc-notify").Count == 1, TimeSpan.FromSeconds(20), "the Pending notification accepted");
            return fixture.Receiver.Accepted("/hooks/proc-notify")[0];
        });
        // The receiver refused the first two POSTs: the third attempt got through.
        Assert.Equal(3, fixture.Receiver.All.Count(r => r.Path == "/hooks/proc-notify"));
        Assert.Equal("Pending", pending.Event);
        Assert.Equal(
            $"Approval needed: alice wants to UPDATE deployments/web in {ns} (ApprovalRequest {ns}/deployments-web-abc)\n"
            + "Reason: scale up for the sale\n"
            + $"Approvals 0/1: sre 0/1; expires {pending.Text.Split("expires ")[1].Split('\n')[0]}\n"
            + $"Approve: `kubectl jit approve deployments-web-abc -n {ns}`",
            pending.Text);

        await ReviewAsync(ns, "deployments-web-abc", "bob", "Approve", "sre");
        await Poll.UntilAsync(() => fixture.Receiver.Accepted("/hooks/proc-notify").Count == 2, TimeSpan.FromSeconds(20), "the Approved notification");
        var approved = fixture.Receiver.Accepted("/hooks/proc-notify")[1];
        Assert.Equal("Approved", approved.Event);
        Assert.StartsWith($"Approved: UPDATE deployments/web in {ns} by alice (ApprovalRequest {ns}/deployments-web-abc)\napproved by bob;", approved.Text, StringComparison.Ordinal);

        // Later reconciles (policy status, resyncs) announce nothing new.
        await fixture.Sandbox.ApplyAsync(Manifests.Policy("proc-notify", ttl: "2h", notifyUrl: url, notifyEvents: ["Pending", "Approved", "Denied"]));
        await _admin.WaitForPolicyAsync("proc-notify", p => p.Status?.ObservedGeneration == p.Metadata.Generation);
        await Task.Delay(500);
        Assert.Equal(2, fixture.Receiver.Accepted("/hooks/proc-notify").Count);

        var metrics = await fixture.Jit.GetAsync("/metrics");
        Assert.Contains("jitadmission_notifications_total{result=\"sent\"}", metrics, StringComparison.Ordinal);
        Assert.Matches(@"jitadmission_notification_failed_attempts_total [1-9]", metrics);
        // The process's own figures for the operator's dashboards, without .NET's per-request event counters.
        Assert.Matches(@"\nprocess_working_set_bytes [1-9]", metrics);
        Assert.Matches(@"\ndotnet_total_memory_bytes [1-9]", metrics);
        Assert.DoesNotContain("microsoft_aspnetcore", metrics, StringComparison.Ordinal);
    }
}
