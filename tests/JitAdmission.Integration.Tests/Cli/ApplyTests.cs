using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Cli;

/// <summary>
/// kubectl jit apply through real kubectl's plugin mechanism and a real API server, denied by <see cref="StandInGateWebhook"/>
/// with the real AdmissionMessages text and Core's GateDenial details: the plugin applies server-side as the caller, reads
/// the ApprovalRequest from the refusal's Status, says who approves, waits, applies again.
/// </summary>
public sealed class ApplyTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>, IAsyncLifetime
{
    private const string Ns = "cli-apply";
    private const string Policy = """
        apiVersion: jitadmission.io/v1alpha1
        kind: ApprovalPolicy
        metadata: {name: cli-apply}
        spec:
          match:
            resources: [{apiGroups: [""], resources: [configmaps], operations: [CREATE, UPDATE]}]
          approval:
            approvers: [{name: sre, users: [bob]}]
            scope: Object
        """;

    private CliCluster _cluster = null!;
    private StandInGateWebhook _gate = null!;

    public async Task InitializeAsync()
    {
        _cluster = await CliCluster.SetUpAsync(sandbox, Ns, Policy);
        _gate = await StandInGateWebhook.StartAsync(sandbox, Ns, "cli-apply");
    }

    public async Task DisposeAsync() => await _gate.DisposeAsync();

    private string Manifest(string name, bool gated = true)
    {
        var path = Path.Combine(sandbox.Dir, $"{name}.yaml");
        File.WriteAllText(path, $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"
            + (gated ? "  labels: {gated: \"true\"}\n" : "") + "data:\n  mode: maintenance\n");
        return path;
    }

    private async Task<bool> ExistsAsync(string configMap) =>
        (await sandbox.AdminKubectlAsync("get", "configmap", configMap, "-n", Ns)).Succeeded;

    [Fact]
    public async Task Without_wait_it_names_the_request_and_the_approve_command_and_exits_7()
    {
        var apply = await _cluster.Jit.RunAsync(_cluster.Alice, "apply", "-f", Manifest("settings-a"), "-n", Ns);

        Assert.Equal(7, apply.ExitCode);
        Assert.Contains("needs approval (policy cli-apply)", apply.Stderr, StringComparison.Ordinal);
        Assert.Contains("kubectl jit: approvalrequest/configmaps-settings-a-gate in namespace cli-apply waits for approvers "
            + "(kubectl jit approve configmaps-settings-a-gate -n cli-apply)", apply.Stderr, StringComparison.Ordinal);
        Assert.Contains("kubectl jit: who approves: sre 0/1 (user bob)", apply.Stderr, StringComparison.Ordinal);
        Assert.False(await ExistsAsync("settings-a"));
    }

    [Fact]
    public async Task With_wait_it_applies_again_once_approved_and_exits_0()
    {
        await using var apply = _cluster.Jit.Start(_cluster.Alice, "apply", "-f", Manifest("settings-b"), "-n", Ns, "--wait", "--timeout", "60s");
        await apply.WaitForStderrAsync(l => l.Contains("waiting for approval of approvalrequest/configmaps-settings-b-gate in namespace cli-apply", StringComparison.Ordinal));

        var approve = await _cluster.Jit.RunAsync(_cluster.Bob, "approve", "configmaps-settings-b-gate", "-n", Ns, "-m", "maintenance window");
        var result = await apply.WaitForExitAsync();

        Assert.True(approve.Succeeded, approve.ToString());
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("kubectl jit: approved; applying again", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("configmap/settings-b created", result.Stdout, StringComparison.Ordinal);
        Assert.True(await ExistsAsync("settings-b"));
    }

    [Fact]
    public async Task With_wait_a_denial_exits_3_and_nothing_is_applied()
    {
        await using var apply = _cluster.Jit.Start(_cluster.Alice, "apply", "-f", Manifest("settings-c"), "-n", Ns, "--wait");
        await apply.WaitForStderrAsync(l => l.Contains("waiting for approval of approvalrequest/configmaps-settings-c-gate", StringComparison.Ordinal));

        Assert.True((await _cluster.Jit.RunAsync(_cluster.Bob, "deny", "configmaps-settings-c-gate", "-n", Ns, "-m", "not during the sale")).Succeeded);
        var result = await apply.WaitForExitAsync();

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Denied: denied by bob: not during the sale", result.Stderr, StringComparison.Ordinal);
        Assert.False(await ExistsAsync("settings-c"));
    }

    [Fact]
    public async Task With_wait_the_timeout_exits_5()
    {
        var apply = await _cluster.Jit.RunAsync(_cluster.Alice, "apply", "-f", Manifest("settings-d"), "-n", Ns, "--wait", "--timeout", "2s");

        Assert.Equal(5, apply.ExitCode);
        Assert.True(apply.Stderr.Contains("timed out after 2s waiting for approvalrequest/configmaps-settings-d-gate", StringComparison.Ordinal), apply.ToString());
    }

    [Fact]
    public async Task Ungated_changes_apply_as_with_kubectl_also_from_stdin()
    {
        var fromFile = await _cluster.Jit.RunAsync(_cluster.Alice, "apply", "-f", Manifest("plain-a", gated: false), "-n", Ns);
        var fromStdin = await _cluster.Jit.RunRawAsync(["apply", "-f", "-", "-n", Ns, "--kubeconfig", _cluster.Alice], stdin: File.ReadAllText(Manifest("plain-b", gated: false)));

        Assert.True(fromFile.Succeeded, fromFile.ToString());
        Assert.Contains("configmap/plain-a created", fromFile.Stdout, StringComparison.Ordinal);
        Assert.True(fromStdin.Succeeded, fromStdin.ToString());
        Assert.True(await ExistsAsync("plain-b"));
    }

    [Fact]
    public async Task Objects_are_applied_server_side_as_kubectl_and_a_held_one_does_not_stop_the_others()
    {
        var path = Path.Combine(sandbox.Dir, "mixed.yaml");
        await File.WriteAllTextAsync(path, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mixed-plain}\ndata: {a: \"1\"}\n---\n"
            + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mixed-gated, labels: {gated: \"true\"}}\ndata: {a: \"1\"}\n");

        var first = await _cluster.Jit.RunAsync(_cluster.Alice, "apply", "-f", path, "-n", Ns);
        var again = await _cluster.Jit.RunAsync(_cluster.Alice, "apply", "-f", Manifest("plain-a2", gated: false), "-n", Ns);
        var unchanged = await _cluster.Jit.RunAsync(_cluster.Alice, "apply", "-f", Manifest("plain-a2", gated: false), "-n", Ns);
        var managed = await sandbox.AdminKubectlAsync("get", "configmap", "mixed-plain", "-n", Ns, "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}/{.metadata.managedFields[*].operation}");

        Assert.Equal(7, first.ExitCode);
        Assert.Contains("configmap/mixed-plain created", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("approvalrequest/configmaps-mixed-gated-gate", first.Stderr, StringComparison.Ordinal);
        Assert.True(await ExistsAsync("mixed-plain"));
        Assert.False(await ExistsAsync("mixed-gated"));
        Assert.Contains("configmap/plain-a2 created", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("configmap/plain-a2 serverside-applied", unchanged.Stdout, StringComparison.Ordinal);
        Assert.Equal("kubectl/Apply", managed.Stdout.Trim());
    }

    [Fact]
    public async Task A_kustomization_is_rendered_by_kubectl_and_applied()
    {
        var dir = Path.Combine(sandbox.Dir, "kustomized");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "kustomization.yaml"), "resources: [cm.yaml]\nnamePrefix: k-\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {mode: kustomized}\n");

        var apply = await _cluster.Jit.RunAsync(_cluster.Alice, "apply", "-k", dir, "-n", Ns);

        Assert.True(apply.Succeeded, apply.ToString());
        Assert.Contains("configmap/k-plain created", apply.Stdout, StringComparison.Ordinal);
        Assert.True(await ExistsAsync("k-plain"));
    }

    [Fact]
    public async Task An_object_in_another_namespace_than_the_one_given_is_refused_as_kubectl_does()
    {
        var path = Path.Combine(sandbox.Dir, "elsewhere.yaml");
        await File.WriteAllTextAsync(path, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: elsewhere, namespace: default}\n");

        var apply = await _cluster.Jit.RunAsync(_cluster.Alice, "apply", "-f", path, "-n", Ns);

        Assert.Equal(1, apply.ExitCode);
        Assert.Contains("the namespace from the provided object \"default\" does not match the namespace \"cli-apply\"", apply.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_kubectl_errors_are_passed_on_with_exit_1()
    {
        var path = Path.Combine(sandbox.Dir, "broken.yaml");
        await File.WriteAllTextAsync(path, "apiVersion: v1\nkind: NoSuchKind\nmetadata:\n  name: x\n");

        var apply = await _cluster.Jit.RunAsync(_cluster.Alice, "apply", "-f", path, "-n", Ns);

        Assert.Equal(1, apply.ExitCode);
        Assert.Contains("NoSuchKind", apply.Stderr, StringComparison.Ordinal);
    }
}
