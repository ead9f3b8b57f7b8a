using System.Text.Json.Nodes;
using JitAdmission.Integration.Tests.Crds;
using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Cli;

/// <summary>
/// A sandbox set up for the plugin tests: the CRDs from crds/, a namespace, policies, and the people — alice (devs)
/// asks, bob (sre) and carol (security) approve, dave (oncall) may break glass. No webhook and no controller run, so the
/// tests write the status as admin where the controller would (<see cref="SetStatusAsync"/>).
/// </summary>
internal sealed class CliCluster
{
    private CliCluster(KubeSandbox sandbox, string @namespace)
    {
        Sandbox = sandbox;
        Namespace = @namespace;
        Jit = new KubectlJit(sandbox);
    }

    public KubeSandbox Sandbox { get; }
    public string Namespace { get; }
    public KubectlJit Jit { get; }
    public string Alice { get; private set; } = "";
    public string Bob { get; private set; } = "";
    public string Carol { get; private set; } = "";
    public string Dave { get; private set; } = "";

    public static async Task<CliCluster> SetUpAsync(KubeSandbox sandbox, string @namespace, string policies)
    {
        await CrdInstallation.EnsureAsync(sandbox);
        await sandbox.ApplyAsync($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {@namespace}\n");
        await sandbox.ApplyAsync(policies);
        var cluster = new CliCluster(sandbox, @namespace)
        {
            Alice = await sandbox.UserKubeconfigAsync("alice", "devs"),
            Bob = await sandbox.UserKubeconfigAsync("bob", "sre"),
            Carol = await sandbox.UserKubeconfigAsync("carol", "security"),
            Dave = await sandbox.UserKubeconfigAsync("dave", "oncall"),
        };
        // What a real cluster gives them through the chart's roles and ordinary bindings: alice and dave edit the
        // namespace; everyone may follow and ask for approvals anywhere (the requester role bound cluster-wide, as for a
        // platform team: policies are cluster-scoped, so a namespace's edit role cannot read them); bob, carol and dave
        // hold the approver role (safe to grant broadly: the policies decide whose review counts).
        await sandbox.InstallUserRolesAsync();
        foreach (var member in new[] { "alice", "dave" }) await sandbox.BindAsync("edit", member, @namespace);
        foreach (var person in new[] { "alice", "bob", "carol", "dave" }) await sandbox.BindAsync("jit-admission-requester", person);
        foreach (var approver in new[] { "bob", "carol", "dave" }) await sandbox.BindAsync("jit-admission-approver", approver);
        return cluster;
    }

    /// <summary>An ApprovalRequest as the webhook creates it for a gated change (written as admin).</summary>
    public async Task CreateGatedRequestAsync(
        string name, string requester, string policy, string objectName, string change, string operation = "UPDATE")
    {
        var fingerprint = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)));
        await Sandbox.ApplyAsync($$"""
            apiVersion: jitadmission.io/v1alpha1
            kind: ApprovalRequest
            metadata: {name: {{name}}, namespace: {{Namespace}}}
            spec:
              policies: [{{policy}}]
              requester: {username: {{requester}}, uid: {{requester}}-uid, groups: [devs, "system:authenticated"]}
              action: {operation: {{operation}}, group: apps, version: v1, resource: deployments, kind: Deployment, namespace: {{Namespace}}, name: {{objectName}}}
              fingerprint: "{{fingerprint}}"
              scope: Exact
              reason: "release {{objectName}} 1.2.3"
              change: |
            {{string.Concat(change.Split('\n').Select(l => "    " + l + "\n"))}}
            """);
    }

    /// <summary>The request as the API server holds it.</summary>
    public async Task<JsonObject> GetAsync(string name)
    {
        var get = await Sandbox.AdminKubectlAsync("get", "approvalrequests.jitadmission.io", name, "-n", Namespace, "-o", "json");
        if (!get.Succeeded) throw new InvalidOperationException(get.ToString());
        return JsonNode.Parse(get.Stdout)!.AsObject();
    }

    /// <summary>Writes the status as jit-admission's controller would, for the request's current generation.</summary>
    public async Task SetStatusAsync(string name, string phase, string approvals, string message)
    {
        var generation = (long)(await GetAsync(name))["metadata"]!["generation"]!;
        var status = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["phase"] = phase,
                ["approvals"] = approvals,
                ["message"] = message,
                ["observedGeneration"] = generation,
            },
        };
        var patch = await Sandbox.AdminKubectlAsync("patch", "approvalrequests.jitadmission.io", name, "-n", Namespace,
            "--subresource=status", "--type=merge", "-p", status.ToJsonString());
        if (!patch.Succeeded) throw new InvalidOperationException(patch.ToString());
    }

    /// <summary>Names of the requests in the namespace whose requester is <paramref name="requester"/>.</summary>
    public async Task<List<JsonObject>> RequestsOfAsync(string requester)
    {
        var list = await Sandbox.AdminKubectlAsync("get", "approvalrequests.jitadmission.io", "-n", Namespace, "-o", "json");
        if (!list.Succeeded) throw new InvalidOperationException(list.ToString());
        return [.. JsonNode.Parse(list.Stdout)!["items"]!.AsArray()
            .Select(i => i!.AsObject())
            .Where(i => (string?)i["spec"]!["requester"]!["username"] == requester)];
    }

    /// <summary>Returns once the API server's clock has passed <paramref name="instant"/> (creation times have whole seconds).</summary>
    public async Task WaitForServerClockAfterAsync(DateTimeOffset instant)
    {
        for (var i = 0; i < 100; i++)
        {
            var probe = $"clock-probe-{Guid.NewGuid():N}"[..24];
            var create = await Sandbox.AdminKubectlAsync("create", "configmap", probe, "-n", Namespace, "-o", "jsonpath={.metadata.creationTimestamp}");
            if (!create.Succeeded) throw new InvalidOperationException(create.ToString());
            if (DateTimeOffset.Parse(create.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture) > instant) return;
        }

        throw new TimeoutException("the API server's clock did not move on");
    }
}
