using JitAdmission.Integration.Tests.Infrastructure;
using JitAdmission.Kubernetes.Tests.Support;
using static JitAdmission.Integration.Tests.EndToEnd.Manifests;

namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>Real-time triggers: a policy that applies only while a ConfigMap says an incident is open.</summary>
[Collection(EndToEndGroup.Name)]
public sealed class LiveContextTests(JitCluster cluster)
{
    private static string IncidentPolicy(string name, string @namespace) => $$"""
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata:
          name: {{name}}
        spec:
          match:
            resources:
              - apiGroups: [apps]
                resources: [deployments]
                operations: [UPDATE]
            namespaces: [{{@namespace}}]
          context:
            - name: incident
              configMap: {namespace: {{@namespace}}, name: incident}
          conditions:
            - name: incident-open
              expression: "context.incident != null && context.incident.data.open == 'true'"
          approval:
            approvers: [{groups: [sre]}]
            wait: 0s
        """;

    // Nine replicas is never the live state here, so the dry run always sends a change (an unchanged apply sends nothing).
    private Task<CommandResult> DryRunAsync(string ns) => cluster.Piped("alice", Deployment(ns, 9), "apply", "--dry-run=server", "-f", "-");

    private static bool Gated(CommandResult dryRun) => dryRun.Stderr.Contains("dry run: the real request would need approval", StringComparison.Ordinal);

    private static bool Free(CommandResult dryRun) => dryRun.Succeeded && !Gated(dryRun);

    private Task SetIncidentAsync(string ns, string open) =>
        cluster.ApplyAsync($"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: incident\n  namespace: {ns}\ndata:\n  open: \"{open}\"\n");

    [Fact]
    public async Task Changes_need_approval_exactly_while_the_incident_ConfigMap_says_open()
    {
        var ns = await cluster.NamespaceAsync("incident");
        await cluster.ApplyAsync(Deployment(ns, 1));
        await cluster.ApplyAsync(IncidentPolicy(ns + "-incident", ns));

        // No ConfigMap: the condition is false, nothing is gated.
        await Poll.UntilAsync(async () => Free(await DryRunAsync(ns)), TimeSpan.FromSeconds(30), "the policy is loaded and its ConfigMap watched");
        cluster.Require(await cluster.Piped("alice", Deployment(ns, 2), "apply", "-f", "-"));

        await SetIncidentAsync(ns, "true");
        await Poll.UntilAsync(async () => Gated(await DryRunAsync(ns)), TimeSpan.FromSeconds(15), "the open incident is seen");
        var during = await cluster.Piped("alice", Deployment(ns, 3), "apply", "-f", "-");
        Assert.Contains("needs approval", during.Stderr, StringComparison.Ordinal);

        await SetIncidentAsync(ns, "false");
        await Poll.UntilAsync(async () => Free(await DryRunAsync(ns)), TimeSpan.FromSeconds(15), "the closed incident is seen");
        cluster.Require(await cluster.Piped("alice", Deployment(ns, 3), "apply", "-f", "-"));
    }
}
