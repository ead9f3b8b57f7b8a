using System.Text.Json.Nodes;
using JitAdmission.Integration.Tests.Infrastructure;
using static JitAdmission.Integration.Tests.Chart.RenderedChart;

namespace JitAdmission.Integration.Tests.Chart;

/// <summary>
/// The real jit-admission binary, started with exactly the arguments the chart gives the container (plus a
/// kubeconfig and loopback listen addresses, since the sandbox runs no pods), against the objects a real
/// `helm install` stored: it must fill the chart's certificate Secret and win the chart's Lease, and a later
/// `helm upgrade` must neither fail on field ownership nor take anything back from it. Both ways Helm applies:
/// server-side (Helm 4's default) and client-side (Helm 3 releases, --server-side=false).
/// </summary>
public sealed class ChartProgramInteropTests(KubeSandbox sandbox) : IClassFixture<KubeSandbox>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Upgrades_leave_the_programs_certificate_and_Lease_alone_and_uninstall_removes_them(bool serverSide)
    {
        var release = serverSide ? "jit-ssa" : "jit-csa";
        var ns = release;
        await ClusterTools.InstallAsync(sandbox, release, ns, null, $"--server-side={(serverSide ? "true" : "false")}");
        var installed = await ClusterTools.ManifestAsync(sandbox, release, ns);
        var secretName = Name(installed.Single("Secret"));
        var leaseName = Name(installed.Single("Lease"));

        string certificate, caBundle, holder;
        await using (var program = await ChartProgramProcess.StartAsync(sandbox.AdminKubeconfig, installed.Args))
        {
            // Ready means the serving certificate was loaded from the Secret; leading means it won the Lease.
            var secret = await WaitForAsync(() => ClusterTools.GetAsync(sandbox, $"secret/{secretName}", ns), s => Data(s, "tls.crt").Length > 0, program);
            certificate = Data(secret, "tls.crt");
            caBundle = Data(secret, "ca.crt");
            Assert.NotEmpty(caBundle);
            var lease = await WaitForAsync(() => ClusterTools.GetAsync(sandbox, $"lease/{leaseName}", ns), l => Text(l["spec"]?["holderIdentity"]) is { Length: > 0 }, program);
            holder = Text(lease["spec"]!["holderIdentity"])!;
            // The program left Helm's ownership labels alone (changing them would make the next apply conflict).
            Assert.Equal("Helm", Text(secret["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]));
            Assert.Equal(release, Text(secret["metadata"]!["annotations"]!["meta.helm.sh/release-name"]));

            var upgrade = await ClusterTools.HelmAsync(sandbox, null, "upgrade", release, ChartTools.ChartDirectory, "--namespace", ns, "--set", "logging.level=Debug");
            Assert.True(upgrade.Succeeded, upgrade.ToString());

            var upgraded = await ClusterTools.ManifestAsync(sandbox, release, ns);
            Assert.Equal("Debug", upgraded.Arg("--Logging:LogLevel:Default"));
            var afterSecret = (await ClusterTools.GetAsync(sandbox, $"secret/{secretName}", ns))!;
            Assert.Equal(certificate, Data(afterSecret, "tls.crt"));
            Assert.Equal(caBundle, Data(afterSecret, "ca.crt"));
            Assert.Equal(holder, Text((await ClusterTools.GetAsync(sandbox, $"lease/{leaseName}", ns))!["spec"]!["holderIdentity"]));
            if (serverSide)
            {
                // Helm re-applied none of the fields the program took over.
                Assert.Null(upgraded.Single("Secret")["data"]);
                Assert.Null(upgraded.Single("Lease")["spec"]);
            }

            // The leader keeps renewing the Lease after the upgrade: nothing took it away.
            var renewed = Text((await ClusterTools.GetAsync(sandbox, $"lease/{leaseName}", ns))!["spec"]!["renewTime"]);
            var later = await WaitForAsync(() => ClusterTools.GetAsync(sandbox, $"lease/{leaseName}", ns), l => Text(l["spec"]!["renewTime"]) != renewed, program);
            Assert.Equal(holder, Text(later["spec"]!["holderIdentity"]));
            Assert.Contains("became the leader", program.Output);
            Assert.DoesNotContain("stopped leading", program.Output);

            if (serverSide)
            {
                // Rolling back to the install re-applies the empty placeholders: Helm 4 refuses (nothing changes)...
                var rollback = await ClusterTools.HelmAsync(sandbox, null, "rollback", release, "1", "--namespace", ns);
                Assert.False(rollback.Succeeded, rollback.ToString());
                Assert.Contains("conflict", rollback.Output);
                Assert.Equal(certificate, Data((await ClusterTools.GetAsync(sandbox, $"secret/{secretName}", ns))!, "tls.crt"));

                // ...unless forced, and then the CA, which the chart never renders, stays; the program re-issues the
                // serving certificate from it (see the chart README).
                var forced = await ClusterTools.HelmAsync(sandbox, null, "rollback", release, "1", "--namespace", ns, "--force-conflicts");
                Assert.True(forced.Succeeded, forced.ToString());
                Assert.Equal(caBundle, Data((await ClusterTools.GetAsync(sandbox, $"secret/{secretName}", ns))!, "ca.crt"));
                await WaitForAsync(() => ClusterTools.GetAsync(sandbox, $"lease/{leaseName}", ns), l => Text(l["spec"]?["holderIdentity"]) is { Length: > 0 }, program);
                Assert.False(program.HasExited);
            }
        }

        // Upgrading again, with nobody holding the released Lease, changes nothing either.
        var before = Data((await ClusterTools.GetAsync(sandbox, $"secret/{secretName}", ns))!, "ca.crt");
        var again = await ClusterTools.HelmAsync(sandbox, null, "upgrade", release, ChartTools.ChartDirectory, "--namespace", ns, "--reuse-values");
        Assert.True(again.Succeeded, again.ToString());
        Assert.Equal(before, Data((await ClusterTools.GetAsync(sandbox, $"secret/{secretName}", ns))!, "ca.crt"));
        Assert.Equal(caBundle, before);

        await ClusterTools.UninstallAsync(sandbox, release, ns);
        Assert.Null(await ClusterTools.GetAsync(sandbox, $"secret/{secretName}", ns));
        Assert.Null(await ClusterTools.GetAsync(sandbox, $"lease/{leaseName}", ns));
    }

    [Theory]
    [InlineData("production", ChartValues.Production)]
    [InlineData("minimal", ChartValues.Minimal)]
    public async Task The_program_accepts_the_arguments_of_other_value_sets_and_becomes_ready(string name, string values)
    {
        var ns = $"jit-args-{name}";
        var chart = await ChartTools.TemplateAsync(values, @namespace: ns);
        Assert.True((await sandbox.AdminKubectlAsync("create", "namespace", ns)).Succeeded);
        List<string> overrides = [];
        if (chart.Arg("--cert-mode") == "Files")
        {
            // cert-manager's files, as the pod would mount them: the sandbox's webhook certificate stands in.
            overrides.AddRange(["--tls-cert-file", sandbox.WebhookCertFile, "--tls-key-file", sandbox.WebhookKeyFile, "--tls-ca-file", sandbox.CaFile]);
        }

        await using var program = await ChartProgramProcess.StartAsync(sandbox.AdminKubeconfig, [.. chart.Args, .. overrides]);

        Assert.False(program.HasExited);
        if (chart.Arg("--leader-elect") == "false") Assert.DoesNotContain("became the leader", program.Output);
        else await program.WaitForOutputAsync("became the leader");
    }

    private static string Data(JsonObject secret, string key) => Text(secret["data"]?[key]) ?? "";

    private static async Task<JsonObject> WaitForAsync(Func<Task<JsonObject?>> read, Func<JsonObject, bool> condition, ChartProgramProcess program)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (await read() is { } o && condition(o)) return o;
            if (program.HasExited) throw new InvalidOperationException($"jit-admission exited:\n{program.Output}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met in time; jit-admission output:\n{program.Output}");
            await Task.Delay(100);
        }
    }
}
