using System.Text;
using JitAdmission.Core.Api;
using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Integration.Tests.KubernetesEdge.Support;
using JitAdmission.Kubernetes.Api;
using JitAdmission.Kubernetes.Caching;
using JitAdmission.Kubernetes.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace JitAdmission.Integration.Tests.KubernetesEdge;

public sealed class JitClientTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private readonly IKubernetes _admin = sandbox.AdminClient();
    private JitClient _jit = null!;
    private string _ns = "";

    public async Task InitializeAsync()
    {
        await MinimalJitCrds.ApplyAsync(sandbox);
        _jit = new JitClient(_admin);
        _ns = await _admin.NewNamespaceAsync("jit");
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    private ApprovalRequest NewRequest(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = _ns, Labels = new Dictionary<string, string> { [ApiConstants.FingerprintLabel] = "abc" } },
        Spec = new ApprovalRequestSpec
        {
            Policies = ["prod-deletes"],
            Requester = new Requester { Username = "alice", Groups = ["devs"] },
            Action = new RequestedAction { Operation = "DELETE", Group = "apps", Version = "v1", Resource = "deployments", Namespace = _ns, Name = "web" },
            Fingerprint = new string('a', 64),
            Scope = ApprovalScope.Exact,
        },
    };

    [Fact]
    public async Task Creating_a_request_twice_reports_already_exists_and_get_reads_it_back()
    {
        var first = await _jit.CreateRequestAsync(NewRequest("deployments-web-aaaaaaaaaa"), default);
        var second = await _jit.CreateRequestAsync(NewRequest("deployments-web-aaaaaaaaaa"), default);
        var read = await _jit.GetRequestAsync(_ns, "deployments-web-aaaaaaaaaa", default);
        var missing = await _jit.GetRequestAsync(_ns, "nope", default);

        Assert.Equal(ApiOutcome.Ok, first.Outcome);
        Assert.False(string.IsNullOrEmpty(first.Object.Metadata.Uid));
        Assert.Equal(ApiOutcome.AlreadyExists, second.Outcome);
        Assert.Equal(409, second.StatusCode);
        Assert.Equal("alice", read.Object.Spec.Requester.Username);
        Assert.Equal(ApprovalScope.Exact, read.Object.Spec.Scope);
        Assert.Equal(ApiOutcome.NotFound, missing.Outcome);
        Assert.Throws<InvalidOperationException>(() => missing.Object);
    }

    [Fact]
    public async Task Of_two_status_writes_from_the_same_version_exactly_one_wins_and_the_other_sees_a_conflict()
    {
        var created = (await _jit.CreateRequestAsync(NewRequest("single-use"), default)).Object;
        created.Status = new ApprovalRequestStatus { Phase = RequestPhase.Approved, MaxUses = 1 };
        var approved = (await _jit.ReplaceRequestStatusAsync(created, default)).Object;

        // Two webhook replicas read the same Approved version and both try to consume the single use.
        var replicaA = (await _jit.GetRequestAsync(_ns, "single-use", default)).Object;
        var replicaB = (await _jit.GetRequestAsync(_ns, "single-use", default)).Object;
        replicaA.Status!.Uses = 1;
        replicaA.Status.Phase = RequestPhase.Consumed;
        replicaB.Status!.Uses = 1;
        replicaB.Status.Phase = RequestPhase.Consumed;
        var results = await Task.WhenAll(_jit.ReplaceRequestStatusAsync(replicaA, default), _jit.ReplaceRequestStatusAsync(replicaB, default));

        Assert.Equal(approved.Metadata.ResourceVersion, replicaA.Metadata.ResourceVersion);
        Assert.Single(results, r => r.Outcome == ApiOutcome.Ok);
        Assert.Single(results, r => r.Outcome == ApiOutcome.Conflict);
        var final = (await _jit.GetRequestAsync(_ns, "single-use", default)).Object;
        Assert.Equal(1, final.Status!.Uses);
        Assert.Equal(RequestPhase.Consumed, final.Status.Phase);
        Assert.Equal("prod-deletes", final.Spec.Policies.Single()); // the status write left the spec alone
    }

    [Fact]
    public async Task A_status_write_without_resource_version_is_refused_before_it_reaches_the_server()
    {
        var request = NewRequest("no-rv");
        await Assert.ThrowsAsync<ArgumentException>(() => _jit.ReplaceRequestStatusAsync(request, default));
    }

    [Fact]
    public async Task Delete_honours_uid_and_version_preconditions_and_reports_not_found_afterwards()
    {
        var created = (await _jit.CreateRequestAsync(NewRequest("to-delete"), default)).Object;

        var wrongUid = await _jit.DeleteRequestAsync(_ns, "to-delete", "00000000-0000-0000-0000-000000000000", null, default);
        var deleted = await _jit.DeleteRequestAsync(_ns, "to-delete", created.Metadata.Uid, created.Metadata.ResourceVersion, default);
        var again = await _jit.DeleteRequestAsync(_ns, "to-delete", null, null, default);

        Assert.Equal(ApiOutcome.Conflict, wrongUid.Outcome);
        Assert.True(deleted.Object);
        Assert.Equal(ApiOutcome.NotFound, again.Outcome);
    }

    [Fact]
    public async Task Policy_status_can_be_patched_and_replaced_optimistically()
    {
        var policy = new ApprovalPolicy { Metadata = new V1ObjectMeta { Name = "p-" + _ns } };
        policy.Spec.Approval.Approvers.Add(new ApproverRule { Name = "sre", Groups = ["sre"] });
        await _admin.CustomObjects.CreateClusterCustomObjectAsync(policy, ApiConstants.Group, ApiConstants.Version, ApiConstants.PolicyPlural);

        var patched = await _jit.PatchPolicyStatusAsync(policy.Metadata.Name, new ApprovalPolicyStatus
        {
            ObservedGeneration = 1,
            Conditions = [new V1Condition { Type = "Ready", Status = "True", Reason = "Compiled", Message = "ok", LastTransitionTime = DateTime.UtcNow }],
        }, default);
        var stale = patched.Object;
        var fresh = (await _jit.GetPolicyAsync(policy.Metadata.Name, default)).Object;
        fresh.Status!.PendingRequests = 3;
        var replaced = await _jit.ReplacePolicyStatusAsync(fresh, default);
        stale.Status!.PendingRequests = 9;
        var conflict = await _jit.ReplacePolicyStatusAsync(stale, default);

        Assert.Equal("True", patched.Object.Status!.Conditions.Single().Status);
        Assert.Equal(3, replaced.Object.Status!.PendingRequests);
        Assert.Equal(ApiOutcome.Conflict, conflict.Outcome);
        Assert.Equal("sre", (await _jit.GetPolicyAsync(policy.Metadata.Name, default)).Object.Spec.Approval.Approvers.Single().Name);
    }

    [Fact]
    public async Task Webhook_configurations_are_applied_idempotently_keep_foreign_fields_and_can_be_deleted()
    {
        var name = "jit-" + _ns;
        var caBundle = Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        V1ValidatingWebhookConfiguration Desired(string path) => new()
        {
            Metadata = new V1ObjectMeta { Name = name },
            Webhooks =
            [
                new V1ValidatingWebhook
                {
                    Name = "gate.jitadmission.io",
                    AdmissionReviewVersions = ["v1"],
                    SideEffects = "NoneOnDryRun",
                    FailurePolicy = "Fail",
                    ClientConfig = new Admissionregistrationv1WebhookClientConfig { Url = "https://127.0.0.1:9/" + path, CaBundle = caBundle },
                    Rules = [new V1RuleWithOperations { ApiGroups = ["apps"], ApiVersions = ["*"], Resources = ["deployments"], Operations = ["DELETE"] }],
                },
            ],
        };

        var created = await _jit.ValidatingWebhookConfigurations.ApplyAsync(Desired("validate"), default);
        await _admin.AdmissionregistrationV1.PatchValidatingWebhookConfigurationAsync(
            new V1Patch("""{"metadata":{"labels":{"app.kubernetes.io/managed-by":"Helm"}}}""", V1Patch.PatchType.MergePatch), name);
        var unchanged = await _jit.ValidatingWebhookConfigurations.ApplyAsync(Desired("validate"), default);
        var changed = await _jit.ValidatingWebhookConfigurations.ApplyAsync(Desired("validate2"), default);

        Assert.Equal(ApiOutcome.Ok, created.Outcome);
        // Re-applying the same state leaves it as it was. Whether it also writes is the API server's business: one in a
        // new second bumps managedFields' time (kubernetes#121404), so the controller diffs before it writes instead.
        Assert.Equal("https://127.0.0.1:9/validate", unchanged.Object.Webhooks.Single().ClientConfig.Url);
        Assert.Equal("Helm", unchanged.Object.Metadata.Labels["app.kubernetes.io/managed-by"]);
        Assert.Equal("https://127.0.0.1:9/validate2", changed.Object.Webhooks.Single().ClientConfig.Url);
        Assert.Equal(caBundle, changed.Object.Webhooks.Single().ClientConfig.CaBundle);
        Assert.Equal("Helm", changed.Object.Metadata.Labels["app.kubernetes.io/managed-by"]);

        var mutating = await _jit.MutatingWebhookConfigurations.ApplyAsync(new V1MutatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta { Name = name },
            Webhooks =
            [
                new V1MutatingWebhook
                {
                    Name = "stamp.jitadmission.io",
                    AdmissionReviewVersions = ["v1"],
                    SideEffects = "None",
                    ClientConfig = new Admissionregistrationv1WebhookClientConfig { Url = "https://127.0.0.1:9/mutate", CaBundle = caBundle },
                    Rules = [new V1RuleWithOperations { ApiGroups = [ApiConstants.Group], ApiVersions = ["*"], Resources = [ApiConstants.RequestPlural], Operations = ["CREATE", "UPDATE"] }],
                },
            ],
        }, default);
        Assert.Equal("stamp.jitadmission.io", mutating.Object.Webhooks.Single().Name);

        Assert.True((await _jit.ValidatingWebhookConfigurations.DeleteAsync(name, default)).Object);
        Assert.True((await _jit.MutatingWebhookConfigurations.DeleteAsync(name, default)).Object);
        Assert.Equal(ApiOutcome.NotFound, (await _jit.ValidatingWebhookConfigurations.GetAsync(name, default)).Outcome);
        Assert.Equal(ApiOutcome.NotFound, (await _jit.MutatingWebhookConfigurations.DeleteAsync(name, default)).Outcome);
    }

    [Fact]
    public async Task Secrets_distinguish_already_exists_and_conflicts()
    {
        var secret = new V1Secret { Metadata = new V1ObjectMeta { Name = "tls", NamespaceProperty = _ns }, Data = new Dictionary<string, byte[]> { ["k"] = [1] } };

        var created = await _jit.CreateSecretAsync(secret, default);
        var duplicate = await _jit.CreateSecretAsync(secret, default);
        var copy = created.Object;
        copy.Data["k"] = [2];
        var replaced = await _jit.ReplaceSecretAsync(copy, default);
        copy.Data["k"] = [3];
        var stale = await _jit.ReplaceSecretAsync(copy, default);

        Assert.Equal(ApiOutcome.AlreadyExists, duplicate.Outcome);
        Assert.Equal([2], replaced.Object.Data["k"]);
        Assert.Equal(ApiOutcome.Conflict, stale.Outcome);
        Assert.Equal([2], (await _jit.GetSecretAsync(_ns, "tls", default)).Object.Data["k"]);
        Assert.Equal(ApiOutcome.NotFound, (await _jit.GetSecretAsync(_ns, "none", default)).Outcome);
    }

    [Fact]
    public async Task A_request_cache_finds_requests_by_fingerprint_requester_and_object_and_sees_our_status_write_at_once()
    {
        var cache = new ResourceCache<ApprovalRequest>(_admin, ResourceDescriptor.ApprovalRequests.InNamespace(_ns), TimeProvider.System,
            NullLogger<ResourceCache<ApprovalRequest>>.Instance).AddStandardIndexes();
        var other = NewRequest("other");
        other.Spec.Fingerprint = new string('b', 64);
        other.Spec.Requester.Username = "bob";
        other.Spec.Action.Name = "api";
        await _jit.CreateRequestAsync(other, default);
        await using var run = Running.Start(cache.RunAsync);
        await cache.WaitForSyncAsync(default);
        var created = (await _jit.CreateRequestAsync(NewRequest("indexed"), default)).Object;
        cache.Upsert(created);

        Assert.Equal("indexed", cache.ByIndex(ApprovalRequestIndexes.Fingerprint, new string('a', 64)).Single().Metadata.Name);
        Assert.Equal("other", cache.ByIndex(ApprovalRequestIndexes.Requester, "bob").Single().Metadata.Name);
        Assert.Equal("indexed", cache.ByIndex(ApprovalRequestIndexes.Object, ApprovalRequestIndexes.ObjectKey("apps", "deployments/scale", _ns, "web")).Single().Metadata.Name);

        var cached = cache.Get(_ns, "indexed")!;
        var update = KubernetesObjects.DeepCopy(cached); // never mutate the cached instance
        update.Status = new ApprovalRequestStatus { Phase = RequestPhase.Approved };
        Assert.Null(cached.Status);
        var written = (await _jit.ReplaceRequestStatusAsync(update, default)).Object;
        Assert.True(cache.Upsert(written) || cache.Get(_ns, "indexed")!.Metadata.ResourceVersion == written.Metadata.ResourceVersion);
        Assert.Equal(RequestPhase.Approved, cache.Get(_ns, "indexed")!.Status!.Phase);
        Assert.Equal(RequestPhase.Approved, cache.ByIndex(ApprovalRequestIndexes.Fingerprint, new string('a', 64)).Single().Status!.Phase);
    }
}
