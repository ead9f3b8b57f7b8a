using System.Runtime.CompilerServices;
using JitAdmission.Integration.Tests.Infrastructure;

namespace JitAdmission.Integration.Tests.Crds;

/// <summary>Applies crds/ with real kubectl once per sandbox and waits until both CRDs are Established.</summary>
internal static class CrdInstallation
{
    public static readonly string[] CrdNames = ["approvalpolicies.jitadmission.io", "approvalrequests.jitadmission.io"];

    private static readonly ConditionalWeakTable<KubeSandbox, Task> Installed = [];

    public static Task EnsureAsync(KubeSandbox sandbox)
    {
        lock (Installed)
        {
            if (!Installed.TryGetValue(sandbox, out var installation))
            {
                installation = InstallAsync(sandbox);
                Installed.Add(sandbox, installation);
            }

            return installation;
        }
    }

    private static async Task InstallAsync(KubeSandbox sandbox)
    {
        var apply = await sandbox.AdminKubectlAsync("apply", "-f", CrdFiles.CrdDirectory);
        if (!apply.Succeeded) throw new InvalidOperationException($"kubectl apply -f crds/ failed: {apply}");

        // kubectl wait polls the Established condition with its own bounded deadline.
        string[] wait = ["wait", "--for=condition=Established", "--timeout=30s", .. CrdNames.Select(n => "crd/" + n)];
        var established = await sandbox.KubectlAsync(sandbox.AdminKubeconfig, wait, timeout: TimeSpan.FromSeconds(45));
        if (!established.Succeeded) throw new InvalidOperationException($"CRDs did not become Established: {established}");
    }
}
