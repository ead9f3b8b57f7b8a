using System.Globalization;
using JitAdmission.Controller.Requests;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using static JitAdmission.Controller.Tests.Support.Objects;

namespace JitAdmission.Controller.Tests.Requests;

/// <summary>
/// The transition series as the reconciler records them: after each status write, from its announcements. Reconciling
/// again, or with a fresh process (a restart, a new leader), must never count a transition twice.
/// </summary>
public sealed class ApprovalRequestMetricsTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(2);
    private readonly FakeTimeProvider _time = new(T0);
    private CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private ApprovalRequestMetrics _metrics;

    public ApprovalRequestMetricsTests() => _metrics = new ApprovalRequestMetrics(_registry);

    /// <summary>One reconcile as <see cref="ApprovalRequestReconciler"/> makes it: plan, write, then record the write's announcements.</summary>
    private RequestReconcilePlan Reconcile(ApprovalRequest request, params ApprovalPolicy[] policies)
    {
        var plan = RequestReconcilePlan.For(request, policies, _time.GetUtcNow(), Retention);
        if (plan.StatusToWrite is { } status)
        {
            var previous = ApprovalAnnouncements.Recorded(request.Status);
            request.Status = status;
            _metrics.Record(request, previous, plan.Announcements, plan.Evaluation);
        }

        return plan;
    }

    /// <summary>A new process: its own registry, nothing counted yet.</summary>
    private void Restart()
    {
        _registry = Metrics.NewCustomRegistry();
        _metrics = new ApprovalRequestMetrics(_registry);
    }

    private Dictionary<string, double> Scrape()
    {
        using var stream = new MemoryStream();
        _registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var space = line.LastIndexOf(' ');
            series[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return series;
    }

    private double Value(string series) => Scrape().GetValueOrDefault(series);

    private const string FirstReviewCount = "jitadmission_approval_time_to_first_review_seconds_count";
    private const string FirstReviewSum = "jitadmission_approval_time_to_first_review_seconds_sum";
    private const string ApprovedCount = "jitadmission_approval_time_to_decision_seconds_count{decision=\"approved\"}";
    private const string ApprovedSum = "jitadmission_approval_time_to_decision_seconds_sum{decision=\"approved\"}";
    private const string DeniedCount = "jitadmission_approval_time_to_decision_seconds_count{decision=\"denied\"}";
    private const string DeniedSum = "jitadmission_approval_time_to_decision_seconds_sum{decision=\"denied\"}";

    private static string Outcome(string outcome, string policy = "prod") => $"jitadmission_approval_requests_total{{outcome=\"{outcome}\",policy=\"{policy}\"}}";

    private static string Expiries(string kind, string policy = "prod") => $"jitadmission_approval_expiries_total{{policy=\"{policy}\",kind=\"{kind}\"}}";

    [Fact]
    public void An_approval_is_counted_once_with_its_times_from_the_review_stamps_however_often_it_is_reconciled()
    {
        var policy = Policy("prod", validFor: "15m");
        var request = Request("shop", "r1", T0, "prod");
        _time.Advance(TimeSpan.FromSeconds(20));
        Reconcile(request, policy);
        Assert.Equal(1, Value(Outcome("pending")));
        Assert.Equal(0, Value(FirstReviewCount));

        // Stamped at 5m, seen by the controller a minute later: the times count from the stamp.
        request.Spec.Reviews.Add(Approve("bob", T0 + TimeSpan.FromMinutes(5), "sre"));
        _time.Advance(TimeSpan.FromMinutes(6));
        Reconcile(request, policy);
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            Assert.Empty(Reconcile(request, policy).Announcements);
        }

        var series = Scrape();
        Assert.Equal((1, 1), (series[Outcome("pending")], series[Outcome("approved")]));
        Assert.Equal((1, 300), (series[FirstReviewCount], series[FirstReviewSum]));
        Assert.Equal((1, 300), (series[ApprovedCount], series[ApprovedSum]));
        Assert.Equal(0, series.GetValueOrDefault(DeniedCount));
        Assert.Equal(0, series.GetValueOrDefault(Expiries("unused")));
    }

    [Fact]
    public void An_approval_nobody_used_expires_as_unused_and_its_review_is_not_observed_again()
    {
        var policy = Policy("prod", validFor: "15m");
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reviews.Add(Approve("bob", T0 + TimeSpan.FromMinutes(1), "sre"));
        _time.Advance(TimeSpan.FromMinutes(1));
        Reconcile(request, policy);

        _time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(ApprovalAnnouncements.Expired, Reconcile(request, policy).Announcement);
        _time.Advance(TimeSpan.FromMinutes(5));
        Reconcile(request, policy);

        var series = Scrape();
        Assert.Equal(1, series[Expiries("unused")]);
        Assert.Equal(0, series.GetValueOrDefault(Expiries("pending")));
        Assert.Equal(1, series[Outcome("expired")]);
        Assert.Equal(1, series[FirstReviewCount]);
        Assert.Equal(1, series[ApprovedCount]);
    }

    [Fact]
    public void An_approval_whose_window_ended_while_no_controller_ran_still_counts_its_decision_once()
    {
        var policy = Policy("prod", validFor: "15m");
        var request = Request("shop", "r1", T0, "prod");
        Reconcile(request, policy);
        request.Spec.Reviews.Add(Approve("bob", T0 + TimeSpan.FromMinutes(2), "sre"));
        _time.Advance(TimeSpan.FromMinutes(40));

        Assert.Equal([ApprovalAnnouncements.Expired], Reconcile(request, policy).Announcements);
        Reconcile(request, policy);

        Assert.Equal((1, 120), (Value(ApprovedCount), Value(ApprovedSum)));
        Assert.Equal((1, 120), (Value(FirstReviewCount), Value(FirstReviewSum)));
        Assert.Equal(1, Value(Expiries("unused")));
        Assert.Equal(0, Value(Outcome("approved")));
    }

    [Fact]
    public void A_used_grant_whose_window_ends_expires_as_used()
    {
        var policy = Policy("prod", validFor: "15m", configure: s => s.Approval.MaxUses = 0);
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reviews.Add(Approve("bob", T0, "sre"));
        Reconcile(request, policy);
        request.Status = ApprovalUse.Record(request.Status!, RequestReconcilePlan.For(request, [policy], T0, Retention).Evaluation, Admission("alice"), T0);

        _time.Advance(TimeSpan.FromMinutes(15));
        Reconcile(request, policy);

        Assert.Equal((1, 0), (Value(Expiries("used")), Value(Expiries("unused"))));
    }

    [Fact]
    public void A_request_nobody_reviewed_expires_as_pending_without_a_review_or_decision_time()
    {
        var policy = Policy("prod", ttl: "10m");
        var request = Request("shop", "r1", T0, "prod");
        Reconcile(request, policy);
        _time.Advance(TimeSpan.FromMinutes(10));
        Reconcile(request, policy);

        var series = Scrape();
        Assert.Equal(1, series[Expiries("pending")]);
        Assert.Equal(0, series.GetValueOrDefault(FirstReviewCount));
        Assert.Equal(0, series.GetValueOrDefault(ApprovedCount));
    }

    [Fact]
    public void A_request_that_expired_with_too_few_approvals_still_reports_when_it_was_first_reviewed()
    {
        var policy = Policy("prod", min: 2, ttl: "10m");
        var request = Request("shop", "r1", T0, "prod");
        Reconcile(request, policy);
        _time.Advance(TimeSpan.FromMinutes(3));
        request.Spec.Reviews.Add(Approve("bob", _time.GetUtcNow(), "sre"));
        Reconcile(request, policy);
        Assert.Equal(0, Value(FirstReviewCount));

        _time.Advance(TimeSpan.FromMinutes(7));
        Reconcile(request, policy);

        Assert.Equal((1, 180), (Value(FirstReviewCount), Value(FirstReviewSum)));
        Assert.Equal(1, Value(Expiries("pending")));
    }

    [Fact]
    public void Two_approvers_observe_the_first_review_and_the_decision_at_their_own_times()
    {
        var policy = Policy("prod", min: 2);
        var request = Request("shop", "r1", T0, "prod");
        Reconcile(request, policy);
        _time.Advance(TimeSpan.FromMinutes(2));
        request.Spec.Reviews.Add(Approve("bob", _time.GetUtcNow(), "sre"));
        Reconcile(request, policy);
        _time.Advance(TimeSpan.FromMinutes(8));
        request.Spec.Reviews.Add(Approve("dave", _time.GetUtcNow(), "sre"));
        Reconcile(request, policy);

        Assert.Equal((1, 120), (Value(FirstReviewCount), Value(FirstReviewSum)));
        Assert.Equal((1, 600), (Value(ApprovedCount), Value(ApprovedSum)));
    }

    [Fact]
    public void A_denial_is_timed_from_the_deny_stamp()
    {
        var policy = Policy("prod");
        var request = Request("shop", "r1", T0, "prod");
        Reconcile(request, policy);
        _time.Advance(TimeSpan.FromMinutes(4));
        request.Spec.Reviews.Add(Deny("carol", _time.GetUtcNow(), "not during the freeze", "sre"));
        Reconcile(request, policy);
        Reconcile(request, policy);

        Assert.Equal((1, 240), (Value(DeniedCount), Value(DeniedSum)));
        Assert.Equal(0, Value(ApprovedCount));
        Assert.Equal(1, Value(Outcome("denied")));
        Assert.Equal(1, Value(FirstReviewCount));
    }

    [Fact]
    public void A_use_the_webhook_wrote_first_still_counts_the_approval_and_the_consumption_once()
    {
        var policy = Policy("prod");
        var request = Request("shop", "r1", T0, "prod");
        Reconcile(request, policy);
        request.Spec.Reviews.Add(Approve("bob", T0 + TimeSpan.FromSeconds(30), "sre"));
        _time.Advance(TimeSpan.FromSeconds(30));
        var evaluation = RequestReconcilePlan.For(request, [policy], _time.GetUtcNow(), Retention).Evaluation;
        request.Status = ApprovalUse.Record(request.Status!, evaluation, Admission("alice"), _time.GetUtcNow());

        Reconcile(request, policy);
        Reconcile(request, policy);

        var series = Scrape();
        Assert.Equal((1, 1), (series[Outcome("approved")], series[Outcome("consumed")]));
        Assert.Equal((1, 30), (series[ApprovedCount], series[ApprovedSum]));
        Assert.Equal((1, 30), (series[FirstReviewCount], series[FirstReviewSum]));
    }

    [Fact]
    public void A_restarted_controller_counts_nothing_that_was_already_announced()
    {
        var policy = Policy("prod", validFor: "15m");
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reviews.Add(Approve("bob", T0, "sre"));
        Reconcile(request, policy);
        Assert.Equal(1, Value(Outcome("approved")));

        Restart();
        _time.Advance(TimeSpan.FromMinutes(1));
        Reconcile(request, policy);
        Assert.DoesNotContain(Scrape(), s => s.Value != 0 && !s.Key.Contains("_bucket", StringComparison.Ordinal));

        // What happens after the restart is counted by the new process, once.
        _time.Advance(TimeSpan.FromMinutes(15));
        Reconcile(request, policy);
        Assert.Equal((1, 0), (Value(Expiries("unused")), Value(ApprovedCount)));
    }

    [Fact]
    public void Break_glass_is_counted_per_policy_and_its_follow_up_review_is_observed_but_never_as_a_decision()
    {
        var prod = Policy("prod");
        var payments = Policy("payments");
        var request = Request("shop", "bg1", T0, "prod", "payments");
        request.Spec.BreakGlass = true;
        Reconcile(request, prod, payments);
        Reconcile(request, prod, payments);
        _time.Advance(TimeSpan.FromMinutes(30));
        request.Spec.Reviews.Add(Approve("bob", _time.GetUtcNow(), "sre", "payments"));
        Assert.Equal(ApprovalAnnouncements.Reviewed, Reconcile(request, prod, payments).Announcement);

        var series = Scrape();
        Assert.Equal((1, 1), (series["jitadmission_breakglass_total{policy=\"prod\"}"], series["jitadmission_breakglass_total{policy=\"payments\"}"]));
        Assert.Equal((1, 1), (series[Outcome("breakglass", "prod")], series[Outcome("reviewed", "payments")]));
        Assert.Equal((1, 1800), (series[FirstReviewCount], series[FirstReviewSum]));
        Assert.Equal(0, series.GetValueOrDefault(ApprovedCount));
    }

    [Fact]
    public void Break_glass_rejected_before_the_controller_first_saw_it_is_still_counted_as_break_glass()
    {
        var policy = Policy("prod");
        var request = Request("shop", "bg1", T0, "prod");
        request.Spec.BreakGlass = true;
        request.Spec.Reviews.Add(Deny("bob", T0, "why?", "sre"));
        Assert.Equal([ApprovalAnnouncements.ReviewRejected], Reconcile(request, policy).Announcements);

        var series = Scrape();
        Assert.Equal((1, 1), (series[Outcome("review_rejected")], series[Outcome("breakglass")]));
        Assert.Equal(1, series["jitadmission_breakglass_total{policy=\"prod\"}"]);
        Assert.Equal(0, series.GetValueOrDefault(DeniedCount));
        Assert.Equal(0, series.GetValueOrDefault(Outcome("pending")));
    }

    [Fact]
    public void A_request_approved_before_the_controller_first_saw_it_is_still_counted_as_opened()
    {
        var policy = Policy("prod");
        var request = Request("shop", "r1", T0, "prod");
        request.Spec.Reviews.Add(Approve("bob", T0, "sre"));
        Assert.Equal([ApprovalAnnouncements.Approved], Reconcile(request, policy).Announcements);

        Assert.Equal((1, 1), (Value(Outcome("pending")), Value(Outcome("approved"))));
    }
}
