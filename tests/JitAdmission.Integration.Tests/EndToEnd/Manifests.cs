namespace JitAdmission.Integration.Tests.EndToEnd;

/// <summary>YAML the end-to-end tests apply with kubectl.</summary>
internal static class Manifests
{
    public static string Deployment(string @namespace, int replicas, string? reason = null, string? breakGlass = null)
    {
        var annotations = reason is null && breakGlass is null
            ? ""
            : "\n  annotations:" + (reason is null ? "" : $"\n    jitadmission.io/reason: \"{reason}\"")
                + (breakGlass is null ? "" : $"\n    jitadmission.io/break-glass: \"{breakGlass}\"");
        return $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: {{@namespace}}{{annotations}}
            spec:
              replicas: {{replicas}}
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                    - name: app
                      image: nginx:1.27
            """;
    }

    /// <summary>Gates changes to Deployments (and their scale) in one namespace; one SRE approves.</summary>
    public static string DeploymentPolicy(string name, string @namespace, string wait, string scope = "Exact", string extra = "") => $$"""
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata:
          name: {{name}}
        spec:
          match:
            resources:
              - apiGroups: [apps]
                resources: [deployments, deployments/scale]
                operations: [UPDATE, DELETE]
            namespaces: [{{@namespace}}]
          approval:
            approvers:
              - name: sre
                groups: [sre]
            scope: {{scope}}
            wait: {{wait}}
        {{extra}}
        """;

    public static string Pod(string @namespace, string name) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
          namespace: {{@namespace}}
        spec:
          containers:
            - name: app
              image: nginx:1.27
        """;

    /// <summary>alice's Grant, asked ahead of time, for creating ConfigMaps in <paramref name="namespace"/> under <paramref name="policy"/>.</summary>
    public static string ConfigMapGrant(string name, string @namespace, string policy) => $$"""
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalRequest
        metadata: {name: {{name}}, namespace: {{@namespace}}}
        spec:
          policies: [{{policy}}]
          requester: {username: alice, groups: [devs]}
          action: {operation: CREATE, group: "", resource: configmaps, namespace: {{@namespace}}}
          scope: Grant
          reason: seed the settings
        """;
}
