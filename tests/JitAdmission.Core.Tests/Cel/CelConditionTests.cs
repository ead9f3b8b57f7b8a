using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Cel;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Tests.TestSupport;

namespace JitAdmission.Core.Tests.Cel;

public class CelConditionTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 30, 0, 30, 0, TimeSpan.Zero); // Sunday; 01:30 CET... 02:30 → 03:30 CEST in Berlin

    private static readonly IClusterContext Cluster = InMemoryClusterContext.Empty
        .WithNamespace("prod", new Dictionary<string, string> { ["env"] = "prod" })
        .WithConfigMap("ops", "incident", new Dictionary<string, string> { ["open"] = "true", ["severity"] = "2" });

    private static readonly ContextReference[] Context =
    [
        new() { Name = "incident", ConfigMap = new NamespacedName { Namespace = "ops", Name = "incident" } },
        new() { Name = "freeze", ConfigMap = new NamespacedName { Namespace = "ops", Name = "missing" } },
    ];

    private const string Deployment = """
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"web","namespace":"prod","labels":{"app":"web"},"creationTimestamp":"2025-03-29T12:00:00Z"},
         "spec":{"replicas":5,"paused":false,"ratio":0.5,"template":{"spec":{"containers":[
            {"name":"app","image":"registry.example.com/web:1.2","ports":[{"containerPort":8080}]},
            {"name":"debug","image":"docker.io/busybox","ports":[]}]}}}}
        """;

    private static AdmissionAttributes Update() => MatchRequestBuilder.Update()
        .By(new UserInfo("alice", "u1", ["devs", "system:authenticated"]) { Extra = new Dictionary<string, IReadOnlyList<string>> { ["scopes"] = ["openid", "admin"] } })
        .Object(Deployment)
        .OldObject(Deployment.Replace("\"replicas\":5", "\"replicas\":2", StringComparison.Ordinal))
        .Options("""{"kind":"UpdateOptions","fieldManager":"kubectl-client-side-apply"}""")
        .Build();

    private static readonly Dictionary<string, Func<AdmissionAttributes>> Requests = new()
    {
        ["update"] = Update,
        ["create"] = () => MatchRequestBuilder.Update().Operation("CREATE").Object(Deployment).DryRun().Build(),
        ["delete"] = () => MatchRequestBuilder.Update().Operation("DELETE").OldObject(Deployment).Build(),
        ["exec"] = () => MatchRequestBuilder.Update().Operation("CONNECT").Resource("", "v1", "pods", "exec").Kind("", "v1", "PodExecOptions").Named("web-0")
            .Object("""{"kind":"PodExecOptions","command":["sh","-c","cat /etc/shadow"],"container":"app","stdin":true,"tty":true}""").Build(),
        ["cluster-scoped"] = () => MatchRequestBuilder.Update().Resource("rbac.authorization.k8s.io", "v1", "clusterroles").In("").Named("admin").Object("""{"metadata":{"name":"admin"},"rules":[]}""").Build(),
        ["namespace"] = () => MatchRequestBuilder.Update().Resource("", "v1", "namespaces").In("").Named("prod").Object("""{"metadata":{"name":"prod"}}""").Build(),
    };

    public static TheoryData<string, string, bool> TrueOrFalse => new()
    {
        // object and oldObject
        { "update", "object.spec.replicas > oldObject.spec.replicas", true },
        { "update", "object.spec.replicas - oldObject.spec.replicas == 3", true },
        { "update", "object.metadata.labels['app'] == 'web' && object.metadata.labels.app == 'web'", true },
        { "update", "object.spec.template.spec.containers.exists(c, !c.image.startsWith('registry.example.com/'))", true },
        { "update", "object.spec.template.spec.containers.all(c, c.ports.all(p, p.containerPort != 22))", true },
        { "update", "object.spec.template.spec.containers.map(c, c.name) == ['app', 'debug']", true },
        { "update", "object.spec.template.spec.containers[0].ports[0].containerPort == 8080", true },
        { "update", "object.spec.ratio < 1.0 && object.spec.paused == false", true },
        { "update", "has(object.spec.paused) && !has(object.spec.strategy)", true },
        { "update", "timestamp(object.metadata.creationTimestamp) > now - duration('24h')", true },
        { "create", "oldObject == null && object.metadata.name == 'web'", true },
        { "delete", "object == null && oldObject.metadata.name == 'web'", true },
        // request
        { "update", "request.operation == 'UPDATE' && request.uid == 'req-1'", true },
        { "update", "request.userInfo.username == 'alice' && request.userInfo.uid == 'u1'", true },
        { "update", "'devs' in request.userInfo.groups && !('sre' in request.userInfo.groups)", true },
        { "update", "request.userInfo.extra['scopes'].exists(s, s == 'admin')", true },
        { "update", "request.dryRun", false },
        { "create", "request.dryRun", true },
        { "update", "request.resource.group == 'apps' && request.resource.version == 'v1' && request.resource.resource == 'deployments'", true },
        { "update", "request.kind.kind == 'Deployment' && request.kind.group == 'apps'", true },
        { "update", "request.namespace == 'prod' && request.name == 'web' && request.subResource == ''", true },
        { "update", "request.options.fieldManager == 'kubectl-client-side-apply'", true },
        { "create", "request.options == null", true },
        { "exec", "request.subResource == 'exec' && object.command.exists(c, c.contains('shadow'))", true },
        { "exec", "object.tty && object.container == 'app'", true },
        // namespaceObject
        { "update", "namespaceObject.metadata.labels.env == 'prod'", true },
        { "cluster-scoped", "namespaceObject == null", true },
        { "namespace", "namespaceObject.metadata.name == 'prod'", true },
        // context
        { "update", "context.incident.data.open == 'true' && int(context.incident.data.severity) <= 2", true },
        { "update", "context.freeze == null", true },
        { "update", "context.freeze != null && context.freeze.data.active == 'true'", false },
        // now
        { "update", "now.getHours() == 0 && now.getMinutes() == 30", true },
        { "update", "now.getHours('Europe/Berlin') == 1", true },
        { "update", "now.getHours('America/New_York') == 20", true },
        { "update", "now.getDayOfWeek() == 0", true },
        { "update", "now > timestamp('2025-03-30T00:00:00Z') && now < timestamp('2025-03-30T01:00:00Z')", true },
    };

    [Theory]
    [MemberData(nameof(TrueOrFalse))]
    public void Conditions_see_every_documented_variable(string request, string expression, bool expected)
    {
        var result = Evaluate(Requests[request](), expression);

        Assert.Equal(expected ? ConditionOutcome.True : ConditionOutcome.False, result.Outcome);
    }

    public static TheoryData<string, string, string> Failures => new()
    {
        { "update", "object.spec.missing == 1", "select field 'missing'" },
        { "update", "object.spec.missing.deeper == 1", "does not support field selection" },
        { "update", "object.metadata.labels['missing'] == 'x'", "Key out of range" },
        { "update", "object.spec.template.spec.containers[5].name == 'x'", "Index out of range" },
        { "update", "object.spec.replicas / 0 == 1", "divide" },
        { "update", "object.metadata.name + 1 == 'x'", "No overload" },
        { "update", "object.spec.replicas", "returned an int, not a bool" },
        { "update", "object.metadata.name", "returned a string, not a bool" },
        { "update", "object.spec.template.spec.containers", "returned a list, not a bool" },
        { "update", "object.metadata.labels", "returned a map, not a bool" },
        { "update", "null", "returned null, not a bool" },
        { "update", "object.spec.template.spec.containers.all(c, c.ports.size() > 'x')", "returned null, not a bool" },
        { "update", "object.metadata.name.matches(object.metadata.labels.app + '(')", "failed" },
        { "update", "object.metadata.name.matches('(a)' + '\\\\1')", "failed" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Evaluation_errors_and_non_bool_results_are_errors_naming_the_condition(string request, string expression, string expected)
    {
        var result = Evaluate(Requests[request](), expression);

        Assert.Equal(ConditionOutcome.Error, result.Outcome);
        Assert.Contains("condition 'test'", result.Message, StringComparison.Ordinal);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> AllExpressions
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var row in TrueOrFalse) data.Add((string)row[0], (string)row[1]);
            foreach (var row in Failures) data.Add((string)row[0], (string)row[1]);
            return data;
        }
    }

    /// <summary>The activation answers dotted paths itself for speed; the library's own lookup must agree.</summary>
    [Theory]
    [MemberData(nameof(AllExpressions))]
    public void Path_lookups_give_the_same_results_as_the_library(string request, string expression)
    {
        var activation = new CelRequestVariables(Requests[request](), Cluster, Now).ForPolicy(Context);
        var plain = CelVariables.All.ToDictionary(name => name, name => activation[name]);
        var compiled = CompiledCondition.Compile(new PolicyCondition { Name = "test", Expression = expression }, new HashSet<string> { "incident", "freeze" });

        var fast = compiled.Evaluate(activation);
        var reference = compiled.Evaluate(plain);

        Assert.Equal(reference.Outcome, fast.Outcome);
        if (reference.Outcome == ConditionOutcome.Error) Assert.Equal(reference.Message, fast.Message);
    }

    [Fact]
    public void Conditions_that_do_not_use_the_object_never_parse_it()
    {
        var request = MatchRequestBuilder.Update().ObjectBytes([0xFF, (byte)'{']).OldObject("{nope").Build();

        Assert.Equal(ConditionOutcome.True, Evaluate(request, "request.operation == 'UPDATE' && now.getFullYear() == 2025").Outcome);
        var failed = Evaluate(request, "object.spec.replicas > 1");
        Assert.Equal(ConditionOutcome.Error, failed.Outcome);
        Assert.Contains("not valid JSON", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_condition_that_did_not_compile_evaluates_to_an_error()
    {
        var condition = CompiledCondition.Compile(new PolicyCondition { Name = "broken", Expression = "object.x.nope()" }, new HashSet<string>());

        var result = condition.Evaluate(new CelRequestVariables(Update(), Cluster, Now).ForPolicy([]));

        Assert.Equal(ConditionOutcome.Error, result.Outcome);
        Assert.Contains("does not compile", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_variables_are_a_read_only_dictionary_of_the_documented_names()
    {
        var variables = new CelRequestVariables(Update(), Cluster, Now).ForPolicy(Context);

        Assert.True(variables.IsReadOnly);
        Assert.Equal(CelVariables.All, variables.Keys);
        Assert.Equal(Now, variables[CelVariables.Now]);
        Assert.True(variables.TryGetValue("object.spec.replicas", out var replicas));
        Assert.Equal(5L, replicas);
        Assert.False(variables.TryGetValue("object.spec.missing", out _));
        Assert.False(variables.TryGetValue("object.spec.template.spec.containers[0]", out _));
        Assert.False(variables.TryGetValue("object.metadata.name.length", out _));
        Assert.False(variables.TryGetValue("nope.x", out _));
        Assert.Throws<NotSupportedException>(() => variables.Add("x", 1));
        Assert.Throws<KeyNotFoundException>(() => variables["x"]);
    }

    [Fact]
    public void Config_maps_are_read_once_per_request_and_shared_between_policies()
    {
        var counting = new CountingCluster(Cluster);
        var shared = new CelRequestVariables(Update(), counting, Now);
        var condition = CompiledCondition.Compile(new PolicyCondition { Name = "c", Expression = "context.incident.data.open == 'true'" }, new HashSet<string> { "incident" });

        for (var i = 0; i < 3; i++) Assert.Equal(ConditionOutcome.True, condition.Evaluate(shared.ForPolicy(Context)).Outcome);

        // One read per referenced ConfigMap (incident and the missing freeze), not one per evaluation.
        Assert.Equal(2, counting.ConfigMapReads);
    }

    private static ConditionResult Evaluate(AdmissionAttributes request, string expression)
    {
        var compiled = CompiledCondition.Compile(new PolicyCondition { Name = "test", Expression = expression }, new HashSet<string> { "incident", "freeze" });
        Assert.True(compiled.Error is null, compiled.Error);
        return compiled.Evaluate(new CelRequestVariables(request, Cluster, Now).ForPolicy(Context));
    }

    private sealed class CountingCluster(IClusterContext inner) : IClusterContext
    {
        public int ConfigMapReads { get; private set; }

        public System.Text.Json.JsonElement? GetNamespace(string name) => inner.GetNamespace(name);

        public System.Text.Json.JsonElement? GetConfigMap(string @namespace, string name)
        {
            ConfigMapReads++;
            return inner.GetConfigMap(@namespace, name);
        }
    }
}
