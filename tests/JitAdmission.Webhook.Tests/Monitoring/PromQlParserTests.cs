namespace JitAdmission.Webhook.Tests.Monitoring;

/// <summary>
/// The test parser itself: what the dashboard and alert tests rely on to reject a broken query. Valid queries parse with
/// the right shape; malformed ones (each a mistake one could make writing a panel or an alert) are refused.
/// </summary>
public sealed class PromQlParserTests
{
    [Theory]
    [InlineData("up")]
    [InlineData("jitadmission_held_calls")]
    [InlineData("rate(jitadmission_admission_requests_total{endpoint=\"/validate\", outcome!~\"allow|consume\"}[5m])")]
    [InlineData("sum by (outcome) (rate(jitadmission_admission_requests_total[5m]))")]
    [InlineData("sum(rate(jitadmission_admission_requests_total[5m])) by (outcome)")]
    [InlineData("sum without (instance, pod) (jitadmission_held_calls)")]
    [InlineData("histogram_quantile(0.99, sum by (le, endpoint) (rate(jitadmission_admission_duration_seconds_bucket[5m])))")]
    [InlineData("(sum(jitadmission_leader) or vector(0)) < 1")]
    [InlineData("absent(jitadmission_leader)")]
    [InlineData("jitadmission_serving_certificate_expiry_timestamp_seconds - time() < 21 * 24 * 3600")]
    [InlineData("clamp_min(sum(rate(a[5m])), 1e-9)")]
    [InlineData("a / on (name) group_left b")]
    [InlineData("a * ignoring (code) group_right (team) b")]
    [InlineData("a > bool 0")]
    [InlineData("1 > bool 2")]
    [InlineData("a unless on(job) b and c or d")]
    [InlineData("rate(a[1h30m] offset 1d)")]
    [InlineData("a offset -5m")]
    [InlineData("max_over_time(rate(a[5m])[1h:1m])")]
    [InlineData("max_over_time(rate(a[5m])[1h:] offset 10m)")]
    [InlineData("-a ^ 2 % 3")]
    [InlineData("2 ^ -1")]
    [InlineData("topk(5, sum by (policy) (increase(jitadmission_breakglass_total[1d])))")]
    [InlineData("count_values(\"le\", a)")]
    [InlineData("{__name__=\"up\", job=~'api.*'}")]
    [InlineData("{job=\"x\"}")]
    [InlineData("a{b=`raw \\d`} # a comment")]
    [InlineData("label_replace(a, \"dst\", \"$1\", \"src\", \"(.*)\")")]
    [InlineData("round(a, 0.5) + Inf")]
    [InlineData("0x1F + .5 + 1.5e3")]
    [InlineData("sum by (le) (a,)")]
    [InlineData("sum by (le,) (a)")]
    public void Parses_valid_queries(string query) => PromQlParser.Parse(query);

    [Theory]
    [InlineData("", "expected an expression")]
    [InlineData("rate(a[5m]", "expected ')'")]
    [InlineData("a{job=\"x\"", "expected '}'")]
    [InlineData("sum()", "takes an expression")]
    [InlineData("rate(,)", "expected an expression")]
    [InlineData("a{job~\"x\"}", "unexpected character")]
    [InlineData("a{job=x}", "expected a string")]
    [InlineData("a{job=\"x}", "unterminated string")]
    [InlineData("a{job=~\"(\"}", "invalid regular expression")]
    [InlineData("{}", "needs a metric name")]
    [InlineData("{job=~\".*\"}", "needs a metric name")]
    [InlineData("up{__name__=\"up\"}", "metric name given twice")]
    [InlineData("rate(a)", "must be a RangeVector")]
    [InlineData("rate(a[5m], 1)", "takes 1 arguments")]
    [InlineData("histogram_quantile(a)", "takes 2 arguments")]
    [InlineData("histogram_quantile(a, 0.9)", "must be a Scalar")]
    [InlineData("frobnicate(a)", "unknown function")]
    [InlineData("a[5m]", "must be an instant vector or a scalar")]
    [InlineData("a[5m] + 1", "cannot take a RangeVector")]
    [InlineData("rate(a[5])", "expected a duration")]
    [InlineData("rate(a[5x])", "malformed number")]
    [InlineData("rate(a[30m1h])", "units out of order")]
    [InlineData("rate(sum(a)[5m])", "only allowed on a vector selector")]
    [InlineData("a offset", "expected a duration")]
    [InlineData("a offset 5m [10m]", "unexpected '['")]
    [InlineData("(a) offset 5m", "offset is only allowed")]
    [InlineData("a > 5m", "a duration is only allowed")]
    [InlineData("1 > 2", "must use bool")]
    [InlineData("a + bool b", "bool is only allowed after a comparison")]
    [InlineData("a and 1", "needs instant vectors on both sides")]
    [InlineData("a + group_left b", "need on(...) or ignoring(...)")]
    [InlineData("a and on(x) group_left b", "no grouping allowed")]
    [InlineData("1 + on(x) a", "needs instant vectors on both sides")]
    [InlineData("sum by (job) (a) by (job)", "has a grouping clause already")]
    [InlineData("sum by job (a)", "expected '('")]
    [InlineData("sum(a) by", "expected '('")]
    [InlineData("sum(1, a)", "takes no parameter")]
    [InlineData("topk(a)", "needs a Scalar parameter")]
    [InlineData("sum(a[5m])", "aggregates an instant vector")]
    [InlineData("a +", "expected an expression")]
    [InlineData("(a", "expected ')'")]
    [InlineData("a)", "unexpected ')'")]
    [InlineData("a b", "unexpected 'b'")]
    [InlineData("by", "unexpected keyword")]
    [InlineData("\"text\"", "must be an instant vector or a scalar")]
    [InlineData("-\"text\"", "unary '-' needs")]
    [InlineData("a{b=\"\\q\"}", "unknown escape sequence")]
    [InlineData("sum by (job:x) (a)", "expected a label name")]
    public void Rejects_malformed_queries(string query, string reason)
    {
        var error = Assert.Throws<PromQlException>(() => PromQlParser.Parse(query));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Precedence_and_associativity_follow_prometheus()
    {
        // a or b and c: "and" binds tighter than "or".
        var or = Assert.IsType<PromQlBinary>(PromQlParser.Parse("a or b and c"));
        Assert.Equal("or", or.Operator);
        Assert.Equal("and", Assert.IsType<PromQlBinary>(or.Right).Operator);

        // a - b - c is (a - b) - c; a ^ b ^ c is a ^ (b ^ c).
        var minus = Assert.IsType<PromQlBinary>(PromQlParser.Parse("a - b - c"));
        Assert.Equal("-", Assert.IsType<PromQlBinary>(minus.Left).Operator);
        var power = Assert.IsType<PromQlBinary>(PromQlParser.Parse("a ^ b ^ c"));
        Assert.Equal("^", Assert.IsType<PromQlBinary>(power.Right).Operator);

        // -a ^ 2 is -(a ^ 2); a + b * c > d is (a + (b * c)) > d.
        var negated = Assert.IsType<PromQlUnary>(PromQlParser.Parse("-a ^ 2"));
        Assert.Equal("^", Assert.IsType<PromQlBinary>(negated.Operand).Operator);
        var comparison = Assert.IsType<PromQlBinary>(PromQlParser.Parse("a + b * c > d"));
        Assert.Equal(">", comparison.Operator);
        Assert.Equal("*", Assert.IsType<PromQlBinary>(Assert.IsType<PromQlBinary>(comparison.Left).Right).Operator);
    }

    [Fact]
    public void Selectors_matching_and_grouping_are_read_as_written()
    {
        var query = PromQlParser.Parse(
            "sum by (policy) (rate(jitadmission_policy_decisions_total{outcome=~\"hold|deny\"}[5m] offset 1h)) / on (policy) group_left (team) max by (policy, team) (policy_owner{team!=\"\"})");

        var division = Assert.IsType<PromQlBinary>(query);
        Assert.Equal(new PromQlMatching(true, ["policy"], "group_left", ["team"]) with { Labels = division.Matching!.Labels, Include = division.Matching.Include }, division.Matching);
        Assert.Equal(["policy"], division.Matching.Labels);
        Assert.Equal(["team"], division.Matching.Include);
        var selector = query.Descendants().OfType<PromQlSelector>().First();
        Assert.Equal("jitadmission_policy_decisions_total", selector.Metric);
        Assert.Equal(new PromQlMatcher("outcome", "=~", "hold|deny"), Assert.Single(selector.Matchers));
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromHours(1)), (selector.Range, selector.Offset));
        Assert.Equal(["jitadmission_policy_decisions_total", "policy_owner"], query.MetricNames());
        Assert.Equal(["policy", "team"], Assert.IsType<PromQlAggregation>(division.Right).By);
    }
}
