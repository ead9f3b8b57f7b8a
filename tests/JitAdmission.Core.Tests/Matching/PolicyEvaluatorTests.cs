using JitAdmission.Core.Api;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Tests.TestSupport;
using static JitAdmission.Core.Tests.TestSupport.MatchPolicyBuilder;

namespace JitAdmission.Core.Tests.Matching;

public class PolicyEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 12, 10, 0, 0, TimeSpan.Zero); // a Wednesday

    internal static readonly IClusterContext Cluster = InMemoryClusterContext.Empty
        .WithNamespace("prod", new Dictionary<string, string> { ["env"] = "prod", ["team"] = "a" })
        .WithNamespace("prod-eu", new Dictionary<string, string> { ["env"] = "prod" })
        .WithNamespace("dev", new Dictionary<string, string> { ["env"] = "dev" })
        .WithConfigMap("ops", "incident", new Dictionary<string, string> { ["open"] = "true" });

    private static readonly Dictionary<string, string> WebLabels = new() { ["app"] = "web" };
    private static readonly Dictionary<string, string> DbLabels = new() { ["app"] = "db" };

    private sealed record Case(
        Func<MatchPolicyBuilder, MatchPolicyBuilder> Policy,
        Func<MatchRequestBuilder, MatchRequestBuilder> Request,
        PolicyOutcome Outcome,
        MatchStage Stage);

    private static MatchRequestBuilder Pods(MatchRequestBuilder r, string sub = "") => r.Resource("", "v1", "pods", sub).Kind("", "v1", "Pod");

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // resource rules
        ["matching rule"] = new(p => p, r => r, PolicyOutcome.Matched, MatchStage.Complete),
        ["other resource"] = new(p => p, r => r.Resource("apps", "v1", "statefulsets"), PolicyOutcome.NotMatched, MatchStage.Resource),
        ["other operation"] = new(p => p, r => r.Operation("DELETE"), PolicyOutcome.NotMatched, MatchStage.Resource),
        ["apiVersion not listed"] = new(p => p.Rules(Rule(["apps"], ["deployments"], ["UPDATE"], ["v1"])), r => r.Resource("apps", "v1beta2", "deployments"), PolicyOutcome.NotMatched, MatchStage.Resource),
        ["apiVersion listed"] = new(p => p.Rules(Rule(["apps"], ["deployments"], ["UPDATE"], ["v1"])), r => r, PolicyOutcome.Matched, MatchStage.Complete),
        ["main resource rule does not match scale"] = new(p => p, r => r.Resource("apps", "v1", "deployments", "scale"), PolicyOutcome.NotMatched, MatchStage.Resource),
        ["deployments/scale matches scale"] = new(p => p.Rule("apps", "deployments/scale", "UPDATE"), r => r.Resource("apps", "v1", "deployments", "scale"), PolicyOutcome.Matched, MatchStage.Complete),
        ["deployments/scale does not match deployments"] = new(p => p.Rule("apps", "deployments/scale", "UPDATE"), r => r, PolicyOutcome.NotMatched, MatchStage.Resource),
        ["*/scale matches statefulsets/scale"] = new(p => p.Rule("*", "*/scale", "UPDATE"), r => r.Resource("apps", "v1", "statefulsets", "scale"), PolicyOutcome.Matched, MatchStage.Complete),
        ["pods/exec CONNECT with exec options"] = new(
            p => p.Rule("", "pods/exec", "CONNECT").Condition("shell", "object.command.exists(c, c == 'sh')"),
            r => Pods(r.Operation("CONNECT"), "exec").Named("web-0").Object("""{"kind":"PodExecOptions","apiVersion":"v1","command":["sh","-c","id"],"stdin":true,"tty":true}"""),
            PolicyOutcome.Matched, MatchStage.Complete),
        ["pods/* matches pods/attach"] = new(p => p.Rule("", "pods/*", "CONNECT"), r => Pods(r.Operation("CONNECT"), "attach"), PolicyOutcome.Matched, MatchStage.Complete),

        // namespaces
        ["listed namespace"] = new(p => p.Namespaces("prod"), r => r, PolicyOutcome.Matched, MatchStage.Complete),
        ["unlisted namespace"] = new(p => p.Namespaces("prod"), r => r.In("dev"), PolicyOutcome.NotMatched, MatchStage.Namespace),
        ["namespace glob"] = new(p => p.Namespaces("prod-*"), r => r.In("prod-eu"), PolicyOutcome.Matched, MatchStage.Complete),
        ["cluster-scoped object never matches a namespace list"] = new(
            p => p.Rule("rbac.authorization.k8s.io", "clusterroles").Namespaces("*"),
            r => r.Resource("rbac.authorization.k8s.io", "v1", "clusterroles").In("").Named("admin"),
            PolicyOutcome.NotMatched, MatchStage.Namespace),
        ["cluster-scoped object with no namespace list"] = new(
            p => p.Rule("rbac.authorization.k8s.io", "clusterroles"),
            r => r.Resource("rbac.authorization.k8s.io", "v1", "clusterroles").In("").Named("admin"),
            PolicyOutcome.Matched, MatchStage.Complete),
        ["namespace object is in its own namespace"] = new(
            p => p.Rule("", "namespaces", "DELETE").Namespaces("prod"),
            r => r.Resource("", "v1", "namespaces").Operation("DELETE").In("").Named("prod"),
            PolicyOutcome.Matched, MatchStage.Complete),
        ["other namespace object"] = new(
            p => p.Rule("", "namespaces", "DELETE").Namespaces("prod"),
            r => r.Resource("", "v1", "namespaces").Operation("DELETE").In("").Named("dev"),
            PolicyOutcome.NotMatched, MatchStage.Namespace),

        // names
        ["listed name"] = new(p => p.Names("web"), r => r, PolicyOutcome.Matched, MatchStage.Complete),
        ["name glob"] = new(p => p.Names("w?b", "db-*"), r => r, PolicyOutcome.Matched, MatchStage.Complete),
        ["unlisted name"] = new(p => p.Names("db-*"), r => r, PolicyOutcome.NotMatched, MatchStage.Name),
        ["no name and no generateName with a name list"] = new(p => p.Rule("apps", "deployments", "CREATE").Names("*"), r => r.Operation("CREATE").Named("").Object("""{"metadata":{}}"""), PolicyOutcome.NotMatched, MatchStage.Name),
        ["no name and no name list"] = new(p => p.Rule("apps", "deployments", "CREATE"), r => r.Operation("CREATE").Named("").Object("""{"metadata":{"generateName":"web-"}}"""), PolicyOutcome.Matched, MatchStage.Complete),
        ["generateName that can become a listed name"] = new(p => p.Rule("apps", "deployments", "CREATE").Names("db-*"), r => r.Operation("CREATE").Named("").Object("""{"metadata":{"generateName":"db-"}}"""), PolicyOutcome.Matched, MatchStage.Complete),
        ["generateName that cannot become a listed name"] = new(p => p.Rule("apps", "deployments", "CREATE").Names("db-*"), r => r.Operation("CREATE").Named("").Object("""{"metadata":{"generateName":"web-"}}"""), PolicyOutcome.NotMatched, MatchStage.Name),

        // subjects
        ["included user"] = new(p => p.Include(User("alice")), r => r, PolicyOutcome.Matched, MatchStage.Complete),
        ["user not included"] = new(p => p.Include(User("bob"), Group("sre")), r => r, PolicyOutcome.NotMatched, MatchStage.Subject),
        ["included group"] = new(p => p.Include(Group("dev*")), r => r.By("carol", "devs"), PolicyOutcome.Matched, MatchStage.Complete),
        ["excluded group"] = new(p => p.Exclude(Group("ci")), r => r.By("robot", "ci"), PolicyOutcome.NotMatched, MatchStage.Subject),
        ["excluded service account"] = new(p => p.Exclude(ServiceAccount("ci", "deployer")), r => r.By("system:serviceaccount:ci:deployer"), PolicyOutcome.NotMatched, MatchStage.Subject),
        ["service account in other namespace is not excluded"] = new(p => p.Exclude(ServiceAccount("ci", "deployer")), r => r.By("system:serviceaccount:prod:deployer"), PolicyOutcome.Matched, MatchStage.Complete),
        ["included service account"] = new(p => p.Include(ServiceAccount("ci", "*")), r => r.By("system:serviceaccount:ci:builder"), PolicyOutcome.Matched, MatchStage.Complete),
        ["exclude wins over include"] = new(p => p.Include(User("alice")).Exclude(User("al*")), r => r, PolicyOutcome.NotMatched, MatchStage.Subject),

        // namespaceSelector
        ["namespace labels match"] = new(p => p.NamespaceSelector(Labels(("env", "prod"))), r => r, PolicyOutcome.Matched, MatchStage.Complete),
        ["namespace labels differ"] = new(p => p.NamespaceSelector(Labels(("env", "prod"))), r => r.In("dev"), PolicyOutcome.NotMatched, MatchStage.NamespaceSelector),
        ["unknown namespace fails closed"] = new(p => p.NamespaceSelector(Labels(("env", "prod"))), r => r.In("ghost"), PolicyOutcome.Error, MatchStage.NamespaceSelector),
        ["empty namespace selector matches an unknown namespace"] = new(p => p.NamespaceSelector(new k8s.Models.V1LabelSelector()), r => r.In("ghost"), PolicyOutcome.Matched, MatchStage.Complete),
        ["cluster-scoped object and a non-empty namespace selector"] = new(
            p => p.Rule("rbac.authorization.k8s.io", "clusterroles").NamespaceSelector(Expression("env", "DoesNotExist")),
            r => r.Resource("rbac.authorization.k8s.io", "v1", "clusterroles").In("").Named("admin"),
            PolicyOutcome.NotMatched, MatchStage.NamespaceSelector),
        ["cluster-scoped object and an empty namespace selector"] = new(
            p => p.Rule("rbac.authorization.k8s.io", "clusterroles").NamespaceSelector(new k8s.Models.V1LabelSelector()),
            r => r.Resource("rbac.authorization.k8s.io", "v1", "clusterroles").In("").Named("admin"),
            PolicyOutcome.Matched, MatchStage.Complete),
        ["new namespace selected by its own labels"] = new(
            p => p.Rule("", "namespaces", "CREATE").NamespaceSelector(Labels(("env", "prod"))),
            r => r.Resource("", "v1", "namespaces").Operation("CREATE").In("").Named("prod-us").Object("""{"metadata":{"name":"prod-us","labels":{"env":"prod"}}}"""),
            PolicyOutcome.Matched, MatchStage.Complete),
        ["relabelled namespace still selected by its old labels"] = new(
            p => p.Rule("", "namespaces", "UPDATE").NamespaceSelector(Labels(("env", "prod"))),
            r => r.Resource("", "v1", "namespaces").In("").Named("prod")
                .Object("""{"metadata":{"name":"prod","labels":{"env":"none"}}}""")
                .OldObject("""{"metadata":{"name":"prod","labels":{"env":"prod"}}}"""),
            PolicyOutcome.Matched, MatchStage.Complete),

        // objectSelector
        ["object labels match"] = new(p => p.ObjectSelector(Labels(("app", "web"))), r => r.Object(MatchRequestBuilder.ObjectJson("web", WebLabels)), PolicyOutcome.Matched, MatchStage.Complete),
        ["only the old object matches"] = new(
            p => p.ObjectSelector(Labels(("app", "web"))),
            r => r.Object(MatchRequestBuilder.ObjectJson("web", DbLabels)).OldObject(MatchRequestBuilder.ObjectJson("web", WebLabels)),
            PolicyOutcome.Matched, MatchStage.Complete),
        ["DELETE selected by the old object"] = new(
            p => p.Rule("apps", "deployments", "DELETE").ObjectSelector(Labels(("app", "web"))),
            r => r.Operation("DELETE").OldObject(MatchRequestBuilder.ObjectJson("web", WebLabels)),
            PolicyOutcome.Matched, MatchStage.Complete),
        ["neither object matches"] = new(
            p => p.ObjectSelector(Labels(("app", "web"))),
            r => r.Object(MatchRequestBuilder.ObjectJson("web", DbLabels)).OldObject(MatchRequestBuilder.ObjectJson("web", DbLabels)),
            PolicyOutcome.NotMatched, MatchStage.ObjectSelector),
        ["unlabelled object matches a negative selector"] = new(p => p.ObjectSelector(Expression("app", "NotIn", "web")), r => r.Object(MatchRequestBuilder.ObjectJson("web")), PolicyOutcome.Matched, MatchStage.Complete),
        ["exec options have no labels"] = new(
            p => p.Rule("", "pods/exec", "CONNECT").ObjectSelector(Expression("app", "NotIn", "web")),
            r => Pods(r.Operation("CONNECT"), "exec").Object("""{"kind":"PodExecOptions","command":["sh"]}"""),
            PolicyOutcome.NotMatched, MatchStage.ObjectSelector),
        ["object without metadata"] = new(p => p.ObjectSelector(Expression("app", "DoesNotExist")), r => r.Object("""{"spec":{}}"""), PolicyOutcome.NotMatched, MatchStage.ObjectSelector),
        ["malformed object fails closed"] = new(p => p.ObjectSelector(Labels(("app", "web"))), r => r.Object("{not json"), PolicyOutcome.Error, MatchStage.ObjectSelector),

        // schedule (Now is Wednesday 10:00 UTC)
        ["inside the schedule"] = new(p => p.Schedule("UTC", Window("09:00", "17:00", "Wed")), r => r, PolicyOutcome.Matched, MatchStage.Complete),
        ["outside the schedule"] = new(p => p.Schedule("UTC", Window("18:00", "08:00")), r => r, PolicyOutcome.NotMatched, MatchStage.Schedule),

        // conditions
        ["true condition"] = new(p => p.Condition("replicas", "object.spec.replicas > 2"), r => r.Object("""{"spec":{"replicas":3}}"""), PolicyOutcome.Matched, MatchStage.Complete),
        ["false condition"] = new(p => p.Condition("replicas", "object.spec.replicas > 2"), r => r.Object("""{"spec":{"replicas":1}}"""), PolicyOutcome.NotMatched, MatchStage.Condition),
        ["failing condition fails closed"] = new(p => p.Condition("replicas", "object.spec.replicas > 2"), r => r.Object("""{"spec":{}}"""), PolicyOutcome.Error, MatchStage.Condition),
        ["a false condition settles a failing one"] = new(
            p => p.Condition("broken", "object.spec.missing == 1").Condition("small", "object.spec.replicas > 2"),
            r => r.Object("""{"spec":{"replicas":1}}"""),
            PolicyOutcome.NotMatched, MatchStage.Condition),
        ["all conditions must hold"] = new(
            p => p.Condition("a", "true").Condition("b", "request.userInfo.username == 'bob'"),
            r => r,
            PolicyOutcome.NotMatched, MatchStage.Condition),

        // invalid policies
        ["invalid policy fails closed on its resources"] = new(p => p.Condition("bad", "nosuchvar == 1"), r => r, PolicyOutcome.Error, MatchStage.Policy),
        ["invalid policy does not touch other resources"] = new(p => p.Condition("bad", "nosuchvar == 1"), r => r.Resource("apps", "v1", "statefulsets"), PolicyOutcome.NotMatched, MatchStage.Resource),
        ["invalid policy with a valid match stays in its namespaces"] = new(p => p.Namespaces("prod").Condition("bad", "nosuchvar == 1"), r => r.In("dev"), PolicyOutcome.NotMatched, MatchStage.Namespace),
        ["invalid match fails closed by resource alone"] = new(p => p.Namespaces("prod").NamespaceSelector(Expression("env", "Equals", "x")), r => r.In("dev"), PolicyOutcome.Error, MatchStage.Policy),
        ["invalid schedule fails closed"] = new(p => p.Schedule("Mars/Olympus", Window("09:00", "17:00")), r => r, PolicyOutcome.Error, MatchStage.Policy),
        ["invalid approval fails closed"] = new(p => p.With(s => s.Approval.Approvers.Clear()), r => r, PolicyOutcome.Error, MatchStage.Policy),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Evaluates_each_part_of_a_policy(string name)
    {
        var c = Cases[name];
        var policy = CompiledPolicy.Compile(c.Policy(Policy()).Build());
        var request = c.Request(MatchRequestBuilder.Update()).Build();

        var result = PolicyEvaluator.Evaluate(policy, request, Cluster, Now);

        Assert.True(c.Outcome == result.Outcome && c.Stage == result.Stage, $"expected {c.Outcome} at {c.Stage}, got {result}");
        Assert.NotEmpty(result.Reason);
    }

    [Fact]
    public void Errors_name_the_failing_condition_and_the_cause()
    {
        var policy = CompiledPolicy.Compile(Policy().Condition("replicas-limit", "object.spec.replicas > 2").Build());
        var request = MatchRequestBuilder.Update().Object("""{"spec":{}}""").Build();

        var result = PolicyEvaluator.Evaluate(policy, request, Cluster, Now);

        Assert.Equal(PolicyOutcome.Error, result.Outcome);
        Assert.Contains("replicas-limit", result.Reason, StringComparison.Ordinal);
        Assert.Contains("replicas", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_policy_errors_list_the_validation_errors()
    {
        var policy = CompiledPolicy.Compile(Policy().Condition("bad", "nosuchvar == 1").Build());

        var result = PolicyEvaluator.Evaluate(policy, MatchRequestBuilder.Update().Build(), Cluster, Now);

        Assert.Contains("spec.conditions[0].expression", result.Reason, StringComparison.Ordinal);
        Assert.Contains("nosuchvar", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Cheap_checks_never_parse_the_object()
    {
        var garbage = new byte[] { 0xFF, 0xFE, (byte)'{', (byte)'x' };
        var policies = new[]
        {
            Policy("ns").Namespaces("other").ObjectSelector(Labels(("a", "b"))).Condition("c", "object.x == 1").Build(),
            Policy("name").Names("other").ObjectSelector(Labels(("a", "b"))).Build(),
            Policy("subject").Include(User("bob")).Condition("c", "object.x == 1").Build(),
            Policy("schedule").Schedule("UTC", Window("00:00", "00:01", "Sun")).Condition("c", "object.x == 1").Build(),
            Policy("selector").NamespaceSelector(Labels(("env", "dev"))).ObjectSelector(Labels(("a", "b"))).Build(),
        };
        var request = MatchRequestBuilder.Update().ObjectBytes(garbage).OldObject("{also not json").Build();

        foreach (var policy in policies)
        {
            var result = PolicyEvaluator.Evaluate(CompiledPolicy.Compile(policy), request, Cluster, Now);
            Assert.Equal(PolicyOutcome.NotMatched, result.Outcome);
        }

        // The same request reaches the object when a policy needs it, and then fails closed rather than throwing.
        var needsObject = CompiledPolicy.Compile(Policy("cel").Condition("c", "object.x == 1").Build());
        Assert.Equal(PolicyOutcome.Error, PolicyEvaluator.Evaluate(needsObject, request, Cluster, Now).Outcome);
    }

    [Fact]
    public void A_request_no_policy_covers_is_answered_without_parsing_or_allocating_results()
    {
        var set = PolicySet.Build([Policy("a").Condition("c", "object.x == 1").Build()]);
        var request = MatchRequestBuilder.Update().Resource("", "v1", "configmaps").ObjectBytes([0xFF, 0x00]).Build();

        var results = PolicyEvaluator.Evaluate(set, request, Cluster, Now);

        Assert.Empty(results);
        Assert.Same(results, PolicyEvaluator.Evaluate(set, request, Cluster, Now));
    }

    [Fact]
    public void Candidates_share_one_view_of_the_request()
    {
        var set = PolicySet.Build(
        [
            Policy("a").Condition("c", "object.spec.replicas == 3").Build(),
            Policy("b").Condition("c", "object.spec.replicas > 1").Build(),
            Policy("c").Namespaces("dev").Build(),
        ]);
        var request = MatchRequestBuilder.Update().Object("""{"spec":{"replicas":3}}""").Build();

        var results = PolicyEvaluator.Evaluate(set, request, Cluster, Now);

        Assert.Equal(["a: Matched", "b: Matched", "c: NotMatched"], results.Select(r => $"{r.Policy.Name}: {r.Outcome}"));
    }
}
