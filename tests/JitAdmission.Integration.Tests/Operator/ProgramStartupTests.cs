using JitAdmission.Integration.Tests.Controller.Support;
using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Operator;

/// <summary>The binary as an operator starts it out of cluster: ready, leading, and in its own namespace.</summary>
public sealed class ProgramStartupTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>
{
    [Fact]
    public async Task Out_of_cluster_it_creates_its_namespace_takes_the_lease_and_becomes_ready()
    {
        await sandbox.AdminKubectlAsync("apply", "-f", Path.Combine(KubeSandbox.RepoRoot(), "crds"));

        await using var jit = await JitAdmissionProcess.StartAsync(sandbox.AdminKubeconfig, "jit-startup");

        Assert.Equal("ok", (await jit.GetAsync("/readyz")).Trim());
        // Readiness does not wait for leadership (every replica serves); the Lease follows within a retry period.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        CommandResult lease;
        do
        {
            lease = await sandbox.AdminKubectlAsync("get", "lease", "jit-admission", "-n", "jit-startup", "-o", "jsonpath={.spec.holderIdentity}");
            if (lease.Succeeded && lease.Stdout.Trim().Length > 0) break;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        Assert.True(lease.Succeeded, lease.ToString());
        Assert.NotEmpty(lease.Stdout.Trim());
        // The memory settings of the project file are in effect in the binary as built (for Native AOT they are
        // compiled in, so a packaging change could silently drop them).
        Assert.Contains("garbage collector: workstation, blocking full collections, conserve memory 7, gen-0 budget up to ", jit.Output);
        Assert.Contains(" bytes, large objects from 524288 bytes", jit.Output);
        if (JitAdmissionBinary.IsNative) Assert.Contains("gen-0 budget up to 6291456 bytes", jit.Output);
        // Request work runs on the socket event threads by default (Webhook:InlineIo), one per CPU.
        Assert.Contains($"request work: inline on the socket event threads, socket completions inline, {Environment.ProcessorCount} socket event thread(s)", jit.Output);
        // The trust boundary is named: the control plane's controllers and kubelets pass unasked, nobody else.
        Assert.Contains("gate: never gated: users [system:apiserver, system:kube-controller-manager, system:kube-scheduler, system:serviceaccount:kube-system:attachdetach-controller, ", jit.Output);
        Assert.Contains("], groups [system:nodes]; callers ", jit.Output);
        Assert.Contains("; at most 20 pending request(s) per requester", jit.Output);
    }

    [Fact]
    public async Task With_inline_io_off_request_work_runs_on_the_thread_pool_and_the_webhooks_still_answer()
    {
        await sandbox.AdminKubectlAsync("apply", "-f", Path.Combine(KubeSandbox.RepoRoot(), "crds"));

        await using var jit = await JitAdmissionProcess.StartAsync(sandbox.AdminKubeconfig, "jit-startup-pool", ["--inline-io", "false"]);
        await jit.WaitUntilRegisteredAsync(sandbox.AdminClient());

        Assert.Contains("request work: on the thread pool, socket completions on the thread pool, 1 socket event thread(s)", jit.Output);
        // Through the API server: the guard refuses a broken policy with its own reason and admits a good one.
        var refused = await sandbox.KubectlAsync(sandbox.AdminKubeconfig, ["apply", "-f", "-"], Manifests.Policy("pool-check", condition: "object.spec.replicas >"));
        Assert.False(refused.Succeeded, refused.ToString());
        Assert.Contains("admission webhook \"guard.jitadmission.io\" denied the request: ApprovalPolicy pool-check:", refused.Stderr, StringComparison.Ordinal);
        await sandbox.ApplyAsync(Manifests.Policy("pool-check", condition: "object.spec.replicas > 3"));
        await sandbox.AdminKubectlAsync("delete", "apol", "pool-check");
    }

    [Fact]
    public async Task Help_lists_the_switches_and_exits_zero()
    {
        var start = JitAdmissionBinary.StartInfo(["--help"]);
        var help = await ProcessRunner.RunAsync(start.FileName, [.. start.ArgumentList]);

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--webhook-url", help.Stdout);
        Assert.Contains("--kubeconfig", help.Stdout);
    }
}
