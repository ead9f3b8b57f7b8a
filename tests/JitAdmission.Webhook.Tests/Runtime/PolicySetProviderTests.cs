using JitAdmission.Core.Api;
using JitAdmission.Kubernetes.Caching;
using JitAdmission.Kubernetes.Runtime;
using JitAdmission.Webhook.Tests.Gating;
using JitAdmission.Webhook.Tests.Infrastructure;
using k8s;

namespace JitAdmission.Webhook.Tests.Runtime;

/// <summary>The compiled policy set on an (unstarted) policy cache fed by hand, as the watch would feed it.</summary>
public sealed class PolicySetProviderTests
{

    private static ApprovalPolicy Policy(int i, long generation = 1)
    {
        var policy = GateWorld.Policy("20s", ApprovalScope.Exact);
        policy.Metadata.Name = $"policy-{i:D4}";
        policy.Metadata.Uid = $"uid-{i}";
        policy.Metadata.Generation = generation;
        policy.Metadata.ResourceVersion = (10 * i + generation).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return policy;
    }

    [Fact]
    public void A_burst_of_policy_events_is_built_once_not_once_per_event()
    {
        var cache = NoApiServer.Cache<ApprovalPolicy>(ResourceDescriptor.ApprovalPolicies);
        for (var i = 0; i < 1000; i++) cache.Upsert(Policy(i));

        // Subscribing replays the 1,000 cached policies as 1,000 Added events (as a list does).
        using var provider = new PolicySetProvider(cache);

        Assert.Equal(1000, provider.Current.All.Count);
        // One rebuild by this read, at most one more by the background pass racing it: never one per event.
        Assert.InRange(provider.Rebuilds, 1, 2);
    }

    [Fact]
    public void A_reader_right_after_a_change_sees_it_without_waiting_for_the_background_pass()
    {
        var cache = NoApiServer.Cache<ApprovalPolicy>(ResourceDescriptor.ApprovalPolicies);
        using var provider = new PolicySetProvider(cache);
        Assert.Empty(provider.Current.All);

        cache.Upsert(Policy(1));
        Assert.Equal(["policy-0001"], provider.Current.All.Select(p => p.Name));

        var changed = Policy(1, generation: 2);
        changed.Spec.Match.Namespaces = ["staging"];
        cache.Upsert(changed);
        Assert.Equal(["staging"], provider.Current.Get("policy-0001")!.Policy.Spec.Match.Namespaces);
    }

    [Fact]
    public async Task Changed_is_raised_after_a_change_once_the_set_holds_it()
    {
        var cache = NoApiServer.Cache<ApprovalPolicy>(ResourceDescriptor.ApprovalPolicies);
        using var provider = new PolicySetProvider(cache);
        var seen = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.Changed += (_, _) =>
        {
            var count = provider.Current.All.Count;
            if (count == 3) seen.TrySetResult(count);
        };

        for (var i = 0; i < 3; i++) cache.Upsert(Policy(i));

        Assert.Equal(3, await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
