using System.Text.Json;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Changes;
using JitAdmission.Core.Guard;
using JitAdmission.Core.Tests.Admission;
using k8s.Models;
using static JitAdmission.Core.Tests.TestSupport.ApprovalFixtures;

namespace JitAdmission.Core.Tests.Approval;

/// <summary>
/// Change sets (docs/semantics.md "Change sets"): one request, several objects, each covered exactly and once. The
/// attacks first: a requester editing an object after computing its fingerprint, claiming another user's write,
/// smuggling a Secret or an object of another namespace, reusing an object twice.
/// </summary>
public class ChangeSetTests
{
    private const string Alice = "alice";

    private static readonly string ConfigMapJson =
        """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"prod"},"data":{"mode":"fast"}}""";

    /// <summary>The entry for EngineWorld's change (alice scales prod/web to 3), as kubectl jit apply writes it.</summary>
    internal static ChangeSetObject Web(int replicas = 3, string requester = Alice) => Entry(
        "UPDATE", "apps", "deployments", "Deployment", "web", EngineWorld.Deployment(replicas), requester);

    internal static ChangeSetObject Settings(string requester = Alice) => Entry("CREATE", "", "configmaps", "ConfigMap", "settings", ConfigMapJson, requester);

    private static ChangeSetObject Entry(string operation, string group, string resource, string kind, string name, string json, string requester, string? ns = "prod")
    {
        var entry = new ChangeSetObject
        {
            Operation = operation, Group = group, Version = "v1", Resource = resource, Kind = kind, Namespace = ns, Name = name,
            Object = JsonDocument.Parse(json).RootElement.Clone(),
        };
        entry.Fingerprint = ChangeSets.Fingerprint(entry, requester);
        return entry;
    }

    internal static ApprovalRequest Set(params ChangeSetObject[] objects) => new()
    {
        Metadata = new V1ObjectMeta { Name = "changeset-x1", NamespaceProperty = "prod", CreationTimestamp = TimeText.ToApi(EngineWorld.Created), ResourceVersion = "30" },
        Spec = new ApprovalRequestSpec
        {
            Policies = ["p"],
            Requester = new Requester { Username = Alice },
            Scope = ApprovalScope.Exact,
            ChangeSet = new ChangeSet { Objects = [.. objects] },
        },
    };

    private static IReadOnlyList<string> Create(ApprovalRequest set, string user = Alice)
    {
        var creating = Set([.. set.Spec.ChangeSet!.Objects]);
        creating.Metadata.CreationTimestamp = null;
        creating.Spec = set.Spec;
        return RequestGuard.ValidateCreate(creating, User(user, "devs"), n => n == "p" ? MatchPolicyBuilderPolicy : null, isOperator: false, At(0));
    }

    private static readonly ApprovalPolicy MatchPolicyBuilderPolicy = TestSupport.MatchPolicyBuilder.Policy("p").Build();

    [Fact]
    public void An_entry_fingerprints_exactly_as_the_gate_fingerprints_the_write_it_describes()
    {
        Assert.Equal(new EngineWorld().Fingerprint, Web().Fingerprint);
        Assert.NotEqual(new EngineWorld().Fingerprint, Web(replicas: 4).Fingerprint);
        Assert.NotEqual(new EngineWorld().Fingerprint, Web(requester: "bob").Fingerprint);
    }

    [Fact]
    public void The_guard_accepts_a_set_of_objects_of_its_namespace_with_their_own_fingerprints()
    {
        Assert.Equal([], Create(Set(Web(), Settings())));
    }

    public static TheoryData<string, Func<ApprovalRequest>> Refused => new()
    {
        { "objects[0].fingerprint is not the fingerprint of that object written by alice", () =>
            {
                var tampered = Web(); // computed for 3 replicas, then the object says 30
                tampered.Object = JsonDocument.Parse(EngineWorld.Deployment(30)).RootElement.Clone();
                return Set(tampered);
            } },
        { "objects[0].fingerprint is not the fingerprint of that object written by alice", () => Set(Web(requester: "bob")) },
        { "is a Secret", () => Set(Entry("CREATE", "", "secrets", "Secret", "db", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"p":"eA=="}}""", Alice)) },
        { "is in namespace \"staging\"", () => Set(Entry("CREATE", "", "configmaps", "ConfigMap", "settings", ConfigMapJson.Replace("prod", "staging", StringComparison.Ordinal), Alice, "staging")) },
        { "is cluster-scoped", () => Set(Entry("CREATE", "rbac.authorization.k8s.io", "clusterroles", "ClusterRole", "admin2", """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"admin2"}}""", Alice, null)) },
        { "operation \"DELETE\" is not CREATE or UPDATE", () => Set(Entry("DELETE", "apps", "deployments", "Deployment", "web", EngineWorld.Deployment(3), Alice)) },
        { "is listed twice", () => Set(Web(), Web(replicas: 5)) },
        { "object's metadata.name is not other", () => Set(Entry("CREATE", "", "configmaps", "ConfigMap", "other", ConfigMapJson, Alice)) },
        { "object's apiVersion is not apps/v1", () => Set(Entry("UPDATE", "apps", "deployments", "Deployment", "settings", ConfigMapJson, Alice)) },
        { "object is missing", () => { var e = Settings(); e.Object = null; return Set(e); } },
        { "spec.changeSet.objects is empty", () => Set() },
        { "more than 50", () => Set([.. Enumerable.Range(0, 51).Select(i => Entry("CREATE", "", "configmaps", "ConfigMap", $"c{i}", ConfigMapJson.Replace("settings", $"c{i}", StringComparison.Ordinal), Alice))]) },
        { "spec.scope must be Exact", () => { var s = Set(Web()); s.Spec.Scope = ApprovalScope.Grant; return s; } },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void The_guard_refuses_a_set_that_does_not_say_exactly_what_it_lets_through(string expected, Func<ApprovalRequest> set)
    {
        Assert.Contains(Create(set()), e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Bob_cannot_create_a_set_in_alices_name()
    {
        Assert.Contains(Create(Set(Web()), user: "bob"), e => e.StartsWith("spec.requester.username must be your own", StringComparison.Ordinal));
    }

    [Fact]
    public void Nobody_edits_a_set_after_it_was_created()
    {
        var old = Set(Web());
        var edited = Set(Web(replicas: 30));
        var errors = RequestGuard.ValidateUpdate(old, edited, User(Alice, "devs"), _ => MatchPolicyBuilderPolicy, isOperator: false, At(1));
        Assert.Contains("spec.changeSet is immutable; create a new ApprovalRequest instead", errors);

        // Every field of the set, the Helm release it names included.
        var relabelled = Set(Web());
        relabelled.Spec.ChangeSet!.Helm = new HelmReleaseRef { Release = "other", Namespace = "prod", Revision = 2 };
        Assert.Contains("spec.changeSet is immutable; create a new ApprovalRequest instead",
            RequestGuard.ValidateUpdate(old, relabelled, User(Alice, "devs"), _ => MatchPolicyBuilderPolicy, isOperator: true, At(1)));
    }

    private static EngineWorld WorldWith(ApprovalRequest set, bool approved = true)
    {
        var world = new EngineWorld();
        if (approved) set.Spec.Reviews.Add(EngineWorld.ApprovedByBob());
        world.Requests.Add(set);
        return world;
    }

    [Fact]
    public void An_approved_set_lets_each_of_its_objects_through_once_then_is_consumed()
    {
        var set = Set(Web(), Settings());
        var world = WorldWith(set);
        var use = world.Plan<ConsumePlan>();
        Assert.Same(set, use.Approval);
        Assert.Equal(RequestPhase.Approved, use.Evaluation.Phase);
        Assert.Equal(2, use.Evaluation.MaxUses);

        set.Status = ApprovalUse.Record(new ApprovalRequestStatus(), use.Evaluation, world.Attributes, world.Now, world.Fingerprint);
        Assert.Equal([world.Fingerprint], set.Status.UsedObjects!);
        Assert.Equal((1, RequestPhase.Approved), (set.Status.Uses, set.Status.Phase!.Value));

        // The same write again is not covered by the set: it needs a request of its own.
        Assert.IsType<CreatePlan>(world.Plan());

        // The other object still is; after it, the set is spent.
        var settings = ChangeSets.Attributes(Settings(), Alice);
        var second = AdmissionEngine.Evaluate(set, world.PolicySet, world.Now);
        Assert.True(second.IsUsable);
        set.Status = ApprovalUse.Record(set.Status, second, settings, world.Now, Settings().Fingerprint);
        Assert.Equal((2, RequestPhase.Consumed), (set.Status.Uses, set.Status.Phase!.Value));
        Assert.Equal(RequestPhase.Consumed, AdmissionEngine.Evaluate(set, world.PolicySet, world.Now).Phase);

        // The controller's rewrite of the status keeps what was used.
        var rewritten = AdmissionEngine.Evaluate(set, world.PolicySet, world.Now).ToStatus(set.Status, world.Now);
        Assert.Equal(set.Status.UsedObjects, rewritten.UsedObjects);
    }

    [Fact]
    public void A_set_covers_nothing_else_nor_anything_before_its_approval()
    {
        // Different content than approved.
        Assert.IsType<CreatePlan>(WorldWith(Set(Web(replicas: 4))).Plan());
        // Pending.
        Assert.IsType<CreatePlan>(WorldWith(Set(Web()), approved: false).Plan());
        // Another requester's set for the same content.
        var bobs = Set(Web(requester: "bob"));
        bobs.Spec.Requester.Username = "bob";
        Assert.IsType<CreatePlan>(WorldWith(bobs).Plan());
        // A set naming other policies than those gating the write.
        var other = Set(Web());
        other.Spec.Policies = ["q"];
        Assert.IsType<CreatePlan>(WorldWith(other).Plan());
    }

    [Fact]
    public void The_set_reads_as_one_action()
    {
        Assert.Equal("CHANGESET 2 objects", ApprovalEvaluator.ActionText(Set(Web(), Settings()).Spec));
        Assert.Equal("UPDATE deployments.apps prod/web", ChangeSets.Describe(Web()));
    }
}
