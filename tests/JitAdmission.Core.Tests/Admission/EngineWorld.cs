using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Fingerprinting;
using JitAdmission.Core.Matching;
using JitAdmission.Core.Naming;
using JitAdmission.Core.Tests.TestSupport;
using k8s.Models;

namespace JitAdmission.Core.Tests.Admission;

/// <summary>
/// One admission decision's world for the planner tests: policies, cached approval requests, the request and the
/// clock. Defaults: policy "p" gates UPDATE of apps deployments (approvers: group sre, Exact, wait 10s); alice (devs)
/// updates prod/web from 1 to 3 replicas at 12:05.
/// </summary>
internal sealed class EngineWorld
{
    public const string OperatorNamespace = "jit-system";

    public static readonly DateTimeOffset Created = ApprovalFixtures.T0;

    public List<ApprovalPolicy> Policies { get; } = [MatchPolicyBuilder.Policy("p").Build()];
    public List<ApprovalRequest> Requests { get; } = [];
    public MatchRequestBuilder Change { get; set; } = DefaultChange();
    public bool IsOperator { get; set; }
    /// <summary>For whole calls (<see cref="Gate.GateMachine"/>): whether the caches are loaded, and the transport's budget.</summary>
    public bool Loaded { get; set; } = true;
    /// <summary>How the gate is set up: the API server authenticates itself by default here (break-glass tests need it).</summary>
    public GateSettings Settings { get; set; } = new() { OperatorNamespace = OperatorNamespace, CallerAuthenticated = true };
    public TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(29);
    public DateTimeOffset Now { get; set; } = Created.AddMinutes(5);
    public IClusterContext Cluster { get; set; } = InMemoryClusterContext.Empty.WithNamespace("prod");

    public static MatchRequestBuilder DefaultChange() => MatchRequestBuilder.Update()
        .By("alice", "devs", "system:authenticated")
        .Object(Deployment(3))
        .OldObject(Deployment(1));

    public static string Deployment(int replicas, string annotations = "")
    {
        var extra = annotations.Length > 0 ? ",\"annotations\":{" + annotations + "}" : "";
        return "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"namespace\":\"prod\",\"uid\":\"d-1\""
            + extra + "},\"spec\":{\"replicas\":" + replicas + "}}";
    }

    public EngineWorld Policy(Action<ApprovalPolicySpec> change, int index = 0)
    {
        change(Policies[index].Spec);
        return this;
    }

    public AdmissionAttributes Attributes => Change.Build();

    public string Fingerprint => Core.Fingerprinting.Fingerprint.Compute(Attributes);

    public PolicySet PolicySet => PolicySet.Build(Policies);

    public AdmissionPlan Plan() =>
        AdmissionEngine.Plan(new AdmissionEngineInput(Attributes, PolicySet, Cluster, new ListLookup(Requests), IsOperator, Settings, Now));

    public T Plan<T>()
        where T : AdmissionPlan => Assert.IsType<T>(Plan());

    public AdmissionVerdict Verdict() => Plan<DecidedPlan>().Verdict;

    /// <summary>The request the webhook would have created for the current change, with its reviews.</summary>
    public ApprovalRequest ExistingFor(int attempt = 1, RequestPhase? recorded = null, params Review[] reviews)
    {
        var request = new ApprovalRequest
        {
            Metadata = new V1ObjectMeta
            {
                Name = RequestNaming.Name(Attributes, Fingerprint, attempt),
                NamespaceProperty = "prod",
                CreationTimestamp = TimeText.ToApi(Created),
                ResourceVersion = "10",
            },
            Spec = new ApprovalRequestSpec
            {
                Policies = [.. Policies.Select(p => p.Metadata.Name)],
                Requester = new Requester { Username = "alice", Groups = ["devs"] },
                Action = new RequestedAction { Operation = "UPDATE", Group = "apps", Version = "v1", Resource = "deployments", Namespace = "prod", Name = "web" },
                Fingerprint = Fingerprint,
                Scope = ApprovalScope.Exact,
                Reviews = [.. reviews],
            },
            Status = recorded is null ? null : new ApprovalRequestStatus { Phase = recorded, Uses = recorded == RequestPhase.Consumed ? 1 : 0 },
        };
        Requests.Add(request);
        return request;
    }

    /// <summary>A request made ahead of time (no fingerprint) for <paramref name="scope"/>.</summary>
    public ApprovalRequest AheadOfTime(ApprovalScope scope, string requester = "alice", string? actionNamespace = "prod", string? name = null, params Review[] reviews)
    {
        // Coverage applies the narrower of the approved scope and the one the policies ask for now.
        foreach (var policy in Policies) policy.Spec.Approval.Scope = scope;
        var request = new ApprovalRequest
        {
            Metadata = new V1ObjectMeta
            {
                Name = $"{scope.ToString().ToLowerInvariant()}-{requester}-{Requests.Count}",
                NamespaceProperty = actionNamespace ?? "prod",
                CreationTimestamp = TimeText.ToApi(Created),
                ResourceVersion = "20",
            },
            Spec = new ApprovalRequestSpec
            {
                Policies = [.. Policies.Select(p => p.Metadata.Name)],
                Requester = new Requester { Username = requester },
                Action = new RequestedAction
                {
                    Operation = "*", Group = "apps", Resource = "deployments", Namespace = actionNamespace, Name = name,
                },
                Scope = scope,
                Reviews = [.. reviews],
            },
        };
        Requests.Add(request);
        return request;
    }

    public static Review ApprovedByBob() => ApprovalFixtures.Approve("bob", Created.AddMinutes(1), "sre");

    public static Review DeniedByBob() => ApprovalFixtures.Deny("bob", Created.AddMinutes(1), "not now", "sre");

    public IApprovalLookup Lookup => new ListLookup(Requests);

    /// <summary>The cache indexes, over a list.</summary>
    internal sealed class ListLookup(List<ApprovalRequest> requests) : IApprovalLookup
    {
        public ApprovalRequest? Get(string @namespace, string name) =>
            requests.FirstOrDefault(r => r.Metadata.NamespaceProperty == @namespace && r.Metadata.Name == name);

        public IReadOnlyList<ApprovalRequest> ByFingerprint(string fingerprint) => [.. requests.Where(r => r.Spec.Fingerprint == fingerprint)];

        public IReadOnlyList<ApprovalRequest> InChangeSets(string fingerprint) =>
            [.. requests.Where(r => r.Spec.ChangeSet?.Objects.Any(o => o.Fingerprint == fingerprint) == true)];

        public IReadOnlyList<ApprovalRequest> ChangeSetsFor(string group, string resource, string @namespace, string name) =>
            [.. requests.Where(r => r.Spec.ChangeSet?.Objects.Any(o => o.Operation == "APPLY" && o.Group == group && o.Resource == resource
                && (o.Namespace ?? "") == @namespace && o.Name == name) == true)];

        public IReadOnlyList<ApprovalRequest> ByObject(string group, string resource, string @namespace, string name) =>
            [.. requests.Where(r => r.Spec.Action.Name == name && r.Spec.Action.Group == group && r.Spec.Action.Resource == resource
                && (r.Spec.Action.Namespace ?? "") == @namespace)];

        public IReadOnlyList<ApprovalRequest> ByRequester(string username) => [.. requests.Where(r => r.Spec.Requester.Username == username)];
    }
}
