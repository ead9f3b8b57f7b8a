using k8s;

namespace JitAdmission.Controller.Crds;

/// <summary>
/// Brings the installed CRDs up to the ones this version ships, when the leader starts: Helm installs <c>crds/</c> but
/// never upgrades them, so after a <c>helm upgrade</c> a new field would otherwise be pruned from every object the
/// new version writes. Each CRD is server-side applied (field manager jit-admission) only when its digest annotation
/// differs from the shipped file's. It never creates a CRD (RBAC grants get and patch on these two names only): a
/// missing one is reported and left to the installer.
/// </summary>
public sealed class CrdUpgrader(IKubernetes client, ILogger<CrdUpgrader> logger)
{
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        foreach (var crd in ShippedCrds.All)
        {
            var live = await ApiCalls.RunAsync(() => client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Name, cancellationToken: cancellationToken), cancellationToken);
            if (live.Outcome == ApiOutcome.NotFound)
            {
                CrdUpgraderLog.Missing(logger, crd.Name);
                continue;
            }

            if (!live.IsOk)
            {
                CrdUpgraderLog.Failed(logger, crd.Name, live.ToString());
                continue;
            }

            var installed = live.Object.Metadata.Annotations?.TryGetValue(ShippedCrd.DigestAnnotation, out var digest) == true ? digest : null;
            if (installed == crd.Digest) continue;
            var applied = await ApiCalls.RunAsync(
                () => client.ApiextensionsV1.PatchCustomResourceDefinitionAsync(
                    new V1Patch(crd.ApplyJson(), V1Patch.PatchType.ApplyPatch), crd.Name, fieldManager: Core.Api.ApiConstants.FieldManager, force: true,
                    cancellationToken: cancellationToken),
                cancellationToken);
            if (applied.IsOk) CrdUpgraderLog.Upgraded(logger, crd.Name, installed ?? "none", crd.Digest);
            else CrdUpgraderLog.Failed(logger, crd.Name, applied.ToString());
        }
    }
}

internal static partial class CrdUpgraderLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "CRD {Name} brought up to this version's (digest {From} -> {To})")]
    public static partial void Upgraded(ILogger logger, string name, string from, string to);

    [LoggerMessage(EventId = 701, Level = LogLevel.Error, Message = "CRD {Name} is not installed: install the CRDs (crds/ or the Helm chart) for jit-admission to work")]
    public static partial void Missing(ILogger logger, string name);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning,
        Message = "CRD {Name} could not be brought up to this version's ({Reason}); new fields may be dropped until it is (kubectl apply --server-side -f crds/)")]
    public static partial void Failed(ILogger logger, string name, string reason);
}
