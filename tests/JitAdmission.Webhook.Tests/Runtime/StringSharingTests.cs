using JitAdmission.Core.Api;
using JitAdmission.Kubernetes.Caching;
using JitAdmission.Webhook.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace JitAdmission.Webhook.Tests.Runtime;

public sealed class StringSharingTests
{

    [Fact]
    public void Equal_strings_come_back_as_one_instance_until_the_pool_is_full()
    {
        var pool = new StringPool(maxEntries: 2, maxLength: 8);
        var a1 = new string("apps".AsSpan());
        var a2 = new string("apps".AsSpan());
        Assert.NotSame(a1, a2);

        Assert.Same(a1, pool.Share(a1));
        Assert.Same(a1, pool.Share(a2));
        Assert.Null(pool.Share(null));

        var tooLong = new string('x', 9);
        Assert.Same(tooLong, pool.Share(tooLong));
        Assert.Equal(1, pool.Count);

        pool.Share("v1");
        var third = new string("core".AsSpan());
        Assert.Same(third, pool.Share(third));
        Assert.NotSame(third, pool.Share(new string("core".AsSpan())));
        Assert.Equal(2, pool.Count);
    }

    private static ApprovalRequest Decode(string name) => KubernetesJson.Deserialize<ApprovalRequest>($$$"""
        {"apiVersion":"jitadmission.io/v1alpha1","kind":"ApprovalRequest",
         "metadata":{"name":"{{{name}}}","namespace":"shop","uid":"uid-{{{name}}}","resourceVersion":"7"},
         "spec":{"policies":["prod"],"requester":{"username":"alice","groups":["devs"]},
                 "action":{"operation":"UPDATE","group":"apps","version":"v1","resource":"deployments","kind":"Deployment","namespace":"shop","name":"web"},
                 "scope":"Exact","reason":"CVE fix {{{name}}}","reviews":[{"reviewer":"bob","decision":"Approve","groups":["sre"]}]},
         "status":{"phase":"Approved","action":"UPDATE deployments/web in shop","approvals":"1/1",
                   "requirements":[{"name":"sre","need":1,"have":1,"approvedBy":["bob"],"satisfied":true}],
                   "conditions":[{"type":"Approved","status":"True","reason":"Approved","message":"approved by bob","lastTransitionTime":"2026-11-28T00:00:00Z"}]}}
        """);

    [Fact]
    public void Cached_requests_share_their_repeated_strings_and_read_exactly_as_before()
    {
        var pool = new StringPool();
        var cache = NoApiServer.Cache<ApprovalRequest>(ResourceDescriptor.ApprovalRequests,
            new ResourceCacheOptions { Transform = r => ApprovalRequestSharing.Apply((ApprovalRequest)r, pool) });
        var first = Decode("r1");
        var second = Decode("r2");
        var before = KubernetesJson.Serialize(second);
        Assert.NotSame(first.Spec.Action.Resource, second.Spec.Action.Resource);

        cache.Upsert(first);
        cache.Upsert(second);

        var a = cache.Get("shop", "r1")!;
        var b = cache.Get("shop", "r2")!;
        Assert.Same(a.Metadata.NamespaceProperty, b.Metadata.NamespaceProperty);
        Assert.Same(a.Spec.Requester.Groups[0], b.Spec.Requester.Groups[0]);
        Assert.Same(a.Spec.Action.Resource, b.Spec.Action.Resource);
        Assert.Same(a.Spec.Reviews[0].Reviewer, b.Spec.Reviews[0].Reviewer);
        Assert.Same(a.Status!.Requirements[0].Name, b.Status!.Requirements[0].Name);
        Assert.Same(a.Status.Conditions[0].Reason, b.Status.Conditions[0].Reason);
        // Per-object values and free text are not pooled.
        Assert.NotSame(a.Metadata.Uid, b.Metadata.Uid);
        Assert.Equal("CVE fix r2", b.Spec.Reason);
        Assert.Equal(before, KubernetesJson.Serialize(b));
    }
}
