using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Hosting;

namespace JitAdmission.Hosting;

/// <summary>
/// Out of cluster nobody has created the operator's namespace (Lease, certificate Secret, requests for
/// cluster-scoped objects), so create it when missing. In a cluster the chart creates it and RBAC may forbid
/// creating namespaces; then this step only logs.
/// </summary>
internal sealed partial class OperatorNamespaceEnsurer(IKubernetes client, OperatorIdentity identity, ILogger<OperatorNamespaceEnsurer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.ReadNamespaceAsync(identity.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            try
            {
                await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = identity.Namespace } }, cancellationToken: cancellationToken);
                Created(logger, identity.Namespace);
            }
            catch (HttpOperationException create) when (create.Response.StatusCode is System.Net.HttpStatusCode.Conflict)
            {
                // Another replica created it meanwhile.
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Forbidden)
        {
            CannotCheck(logger, identity.Namespace);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(10, LogLevel.Information, "created the operator namespace {Namespace}")]
    private static partial void Created(ILogger logger, string @namespace);

    [LoggerMessage(11, LogLevel.Warning, "may not read the operator namespace {Namespace}; assuming it exists")]
    private static partial void CannotCheck(ILogger logger, string @namespace);
}
