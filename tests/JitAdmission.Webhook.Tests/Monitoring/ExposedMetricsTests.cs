namespace JitAdmission.Webhook.Tests.Monitoring;

/// <summary>The catalogue the dashboard and alert tests check names against really holds every family the executable exposes.</summary>
public sealed class ExposedMetricsTests
{
    [Fact]
    public async Task The_scrape_lists_every_family_with_its_sample_names_even_before_anything_was_counted()
    {
        var names = ExposedMetrics.Names(await ExposedMetrics.ScrapeAsync());

        Assert.Superset(new HashSet<string>(StringComparer.Ordinal)
        {
            "jitadmission_admission_requests_total",
            "jitadmission_admission_duration_seconds_bucket",
            "jitadmission_admission_duration_seconds_count",
            "jitadmission_policy_decisions_total",
            "jitadmission_held_calls",
            "jitadmission_notifications_total",
            "jitadmission_approval_requests_total",
            "jitadmission_approval_expiries_total",
            "jitadmission_breakglass_total",
            "jitadmission_approval_time_to_first_review_seconds_bucket",
            "jitadmission_approval_time_to_decision_seconds_sum",
            "jitadmission_approval_requests_pending",
            "jitadmission_leader",
            "jitadmission_serving_certificate_expiry_timestamp_seconds",
        }, names);
        Assert.DoesNotContain("jitadmission_admission_requests_total_bucket", names);
    }
}
