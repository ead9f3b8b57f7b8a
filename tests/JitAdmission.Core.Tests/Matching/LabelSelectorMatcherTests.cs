using JitAdmission.Core.Matching;
using k8s.Models;
using static JitAdmission.Core.Tests.TestSupport.MatchPolicyBuilder;

namespace JitAdmission.Core.Tests.Matching;

public class LabelSelectorMatcherTests
{
    private static readonly Dictionary<string, string> Prod = new() { ["env"] = "prod", ["tier"] = "db" };

    public static TheoryData<V1LabelSelector, bool> Cases => new()
    {
        { new V1LabelSelector(), true },
        { new V1LabelSelector { MatchLabels = new Dictionary<string, string>(), MatchExpressions = [] }, true },
        { Labels(("env", "prod")), true },
        { Labels(("env", "dev")), false },
        { Labels(("env", "prod"), ("tier", "db")), true },
        { Labels(("env", "prod"), ("tier", "web")), false },
        { Labels(("missing", "x")), false },
        { Labels(("env", "")), false },
        { Expression("env", "In", "prod", "staging"), true },
        { Expression("env", "In", "dev"), false },
        { Expression("missing", "In", "x"), false },
        { Expression("env", "NotIn", "dev"), true },
        { Expression("env", "NotIn", "prod"), false },
        { Expression("missing", "NotIn", "x"), true },
        { Expression("env", "Exists"), true },
        { Expression("missing", "Exists"), false },
        { Expression("env", "DoesNotExist"), false },
        { Expression("missing", "DoesNotExist"), true },
        { Expression("env", "Equals", "prod"), false },
        {
            new V1LabelSelector
            {
                MatchLabels = new Dictionary<string, string> { ["env"] = "prod" },
                MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "NotIn", Values = ["db"] }],
            },
            false
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Selectors_follow_kubernetes_semantics(V1LabelSelector selector, bool expected) =>
        Assert.Equal(expected, LabelSelectorMatcher.Matches(selector, Prod));

    [Fact]
    public void Against_no_labels_only_negative_requirements_match()
    {
        var none = new Dictionary<string, string>();
        Assert.True(LabelSelectorMatcher.Matches(Expression("env", "NotIn", "prod"), none));
        Assert.True(LabelSelectorMatcher.Matches(Expression("env", "DoesNotExist"), none));
        Assert.False(LabelSelectorMatcher.Matches(Labels(("env", "prod")), none));
        Assert.True(LabelSelectorMatcher.Matches(new V1LabelSelector(), none));
    }
}
