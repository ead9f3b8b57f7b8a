using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Core.Matching;
using JitAdmission.Kubernetes.Audit;
using JitAdmission.Kubernetes.Caching;
using JitAdmission.Kubernetes.Runtime;
using JitAdmission.Webhook.Gating;
using JitAdmission.Webhook.Tests.Infrastructure;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace JitAdmission.Webhook.Tests.Gating;

/// <summary>
/// A <see cref="GateHandler"/> on real (unstarted) caches fed by hand, the in-memory API store and a clock: policy "prod"
/// gates UPDATE of apps deployments in namespace prod; group sre approves.
/// </summary>
internal sealed class GateWorld : IAdmissionCaches, IDisposable
{
    public const string Namespace = "prod";


    /// <param name="time">A real clock instead of the fake one (then <see cref="Clock"/> is not available).</param>
    /// <param name="sharing">Another replica: its own caches and handler, the same API server and clock.</param>
    public GateWorld(TimeProvider? time = null, string wait = "20s", ApprovalScope scope = ApprovalScope.Exact, GateWorld? sharing = null)
    {
        Time = time ?? new TimerCountingClock(sharing?.Clock ?? new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)));
        Policies = NoApiServer.Cache<ApprovalPolicy>(ResourceDescriptor.ApprovalPolicies);
        Requests = NoApiServer.Cache<ApprovalRequest>(ResourceDescriptor.ApprovalRequests).AddStandardIndexes();
        PolicySet = new PolicySetProvider(Policies);
        Store = sharing?.Store ?? new InMemoryRequestStore(Time);
        Waiters = new HeldRequestWaiters(Requests);
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Metrics = new AdmissionMetrics(Registry, Time);
        var identity = new OperatorIdentity(Microsoft.Extensions.Options.Options.Create(new OperatorOptions { Namespace = "jit-system" }));
        identity.Resolve("system:serviceaccount:jit-system:jit-admission");
        Audit = AuditLog.To(AuditLines, Time);
        Handler = new GateHandler(PolicySet, this, InMemoryClusterContext.Empty.WithNamespace(Namespace), Store, identity, Waiters, Metrics,
            Audit, Options.Create(new GateOptions()), Options.Create(new WebhookOptions()), Time, NullLogger<GateHandler>.Instance);
        Policies.Upsert(Policy(wait, scope));
    }

    /// <summary>Whether the caches count as synced.</summary>
    public bool Loaded { get; set; } = true;

    bool IAdmissionCaches.IsSynced => Loaded;

    public TimeProvider Time { get; }
    public FakeTimeProvider Clock => ((TimerCountingClock)Time).Clock;
    public ResourceCache<ApprovalPolicy> Policies { get; }
    public ResourceCache<ApprovalRequest> Requests { get; }
    public PolicySetProvider PolicySet { get; }
    public InMemoryRequestStore Store { get; }
    public HeldRequestWaiters Waiters { get; }
    public CollectorRegistry Registry { get; }
    public AdmissionMetrics Metrics { get; }
    public GateHandler Handler { get; }

    /// <summary>The audit lines the gate wrote (JSON, one per line).</summary>
    public MemoryStream AuditLines { get; } = new();

    public AuditLog Audit { get; }

    public static ApprovalPolicy Policy(string wait, ApprovalScope scope) => new()
    {
        Metadata = new V1ObjectMeta { Name = "prod", Uid = "p-1", Generation = 1, ResourceVersion = "1" },
        Spec = new ApprovalPolicySpec
        {
            Match = new PolicyMatch
            {
                Resources = [new ResourceRule { ApiGroups = ["apps"], Resources = ["deployments"], Operations = ["UPDATE"] }],
                Namespaces = [Namespace],
            },
            Approval = new ApprovalSettings { Approvers = [new ApproverRule { Name = "sre", Groups = ["sre"] }], Wait = wait, Scope = scope },
        },
    };

    public static AdmissionAttributes Update(int replicas, string user = "alice", string uid = "uid-1", bool dryRun = false, string @namespace = Namespace) => new()
    {
        Uid = uid,
        Operation = "UPDATE",
        Resource = new GroupVersionResource("apps", "v1", "deployments"),
        Kind = new GroupVersionKind("apps", "v1", "Deployment"),
        Namespace = @namespace,
        Name = "web",
        UserInfo = new UserInfo(user, "u-" + user, ["devs", "system:authenticated"]),
        DryRun = dryRun,
        Object = RawObject.FromJson(Deployment(@namespace, replicas)),
        OldObject = RawObject.FromJson(Deployment(@namespace, 1)),
    };

    private static string Deployment(string @namespace, int replicas) =>
        $$$"""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"{{{@namespace}}}"},"spec":{"replicas":{{{replicas}}}}}""";

    /// <summary>bob approves: the review lands in the API store and the cache sees it, as the watch would deliver it.</summary>
    public ApprovalRequest Approve(ApprovalRequest request, string reviewer = "bob", ReviewDecision decision = ReviewDecision.Approve)
    {
        var updated = Store.WriteBehindTheCache(request.Metadata.NamespaceProperty, request.Metadata.Name, r => r.Spec.Reviews.Add(new Core.Api.Review
        {
            Reviewer = reviewer,
            Decision = decision,
            Groups = ["sre"],
            Time = TimeText.ToApi(Time.GetUtcNow()),
        }));
        Requests.Upsert(updated);
        return updated;
    }

    /// <summary>
    /// Starts a call on this replica's gate. The task gives up after 30 s of real time, so a call that never ends fails
    /// its test rather than hanging the run.
    /// </summary>
    public Task<AdmissionVerdict> Call(AdmissionAttributes request, TimeSpan budget) =>
        Handler.HandleAsync(request, budget, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>
    /// Waits (briefly, in real time) until <paramref name="count"/> calls are held and have armed their wake-up on the
    /// fake clock: only then may the test advance it (see <see cref="TimerCountingClock"/>).
    /// </summary>
    public Task UntilHeldAsync(int count = 1) =>
        UntilAsync(() => Waiters.Count >= count && (Time is not TimerCountingClock clock || clock.ArmedTimers >= count), $"{count} call(s) held");

    /// <summary>Waits (briefly, in real time) until <paramref name="condition"/> holds.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within 10 s: {what}");
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// Advances the clock by <paramref name="step"/> until <paramref name="call"/> answers: for a call that may arm its
    /// wake-up only after an advance, where a single advance could come too early.
    /// </summary>
    public async Task<AdmissionVerdict> AdvanceUntilAnsweredAsync(Task<AdmissionVerdict> call, TimeSpan step)
    {
        while (!call.IsCompleted)
        {
            Clock.Advance(step);
            await Task.WhenAny(call, Task.Delay(20));
        }

        return await call;
    }

    public void Dispose()
    {
        Waiters.Dispose();
        PolicySet.Dispose();
    }
}
