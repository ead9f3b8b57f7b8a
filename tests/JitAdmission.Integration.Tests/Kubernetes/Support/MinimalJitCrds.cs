using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.KubernetesEdge.Support;

/// <summary>
/// Schema-less stand-ins for the ApprovalRequest and ApprovalPolicy CRDs (same group, names, scope and status
/// subresource), so the I/O edge is tested without depending on the real CRDs' validation rules.
/// </summary>
public static class MinimalJitCrds
{
    public const string Yaml = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: approvalrequests.jitadmission.io}
        spec:
          group: jitadmission.io
          names: {kind: ApprovalRequest, plural: approvalrequests, singular: approvalrequest, listKind: ApprovalRequestList, shortNames: [areq]}
          scope: Namespaced
          versions:
          - name: v1alpha1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: approvalpolicies.jitadmission.io}
        spec:
          group: jitadmission.io
          names: {kind: ApprovalPolicy, plural: approvalpolicies, singular: approvalpolicy, listKind: ApprovalPolicyList, shortNames: [apol]}
          scope: Cluster
          versions:
          - name: v1alpha1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """;

    public static async Task ApplyAsync(KubeSandbox sandbox)
    {
        await sandbox.ApplyAsync(Yaml);
        var wait = await sandbox.AdminKubectlAsync("wait", "--for=condition=established", "--timeout=30s",
            "crd/approvalrequests.jitadmission.io", "crd/approvalpolicies.jitadmission.io");
        if (!wait.Succeeded) throw new InvalidOperationException(wait.ToString());
    }
}
