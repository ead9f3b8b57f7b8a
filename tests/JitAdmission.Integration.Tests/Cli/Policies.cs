namespace JitAdmission.Integration.Tests.Cli;

/// <summary>The ApprovalPolicies the plugin tests use.</summary>
internal static class Policies
{
    /// <summary>Exact approvals of deployment changes by one SRE (group sre) and carol from security.</summary>
    public const string Deploy = """
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata: {name: cli-deploy}
        spec:
          match:
            resources: [{apiGroups: [apps], resources: [deployments], operations: [UPDATE]}]
          approval:
            approvers: [{name: sre, groups: [sre]}, {name: security, users: [carol]}]
        """;

    /// <summary>Grant (JIT elevation) to exec into pods: bob and carol by name, so reviews count without the stamping webhook; dave may break glass.</summary>
    public const string Exec = """
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata: {name: cli-exec}
        spec:
          match:
            resources: [{apiGroups: [""], resources: [pods/exec], operations: [CONNECT]}]
          approval:
            approvers: [{name: oncall-approvers, users: [bob, carol]}]
            scope: Grant
            validFor: 30m
          breakGlass: {groups: [oncall]}
        """;

    /// <summary>Object scope on deployments; pending requests expire after 3s (for the expiry test).</summary>
    public const string ShortLived = """
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata: {name: cli-short}
        spec:
          match:
            resources: [{apiGroups: [apps], resources: [deployments], operations: [UPDATE]}]
          approval:
            approvers: [{users: [bob]}]
            scope: Object
            requestTTL: 3s
        """;

    public static string All => string.Join("\n---\n", Deploy, Exec, ShortLived);
}
