using JitAdmission.Kubernetes.Client;
using k8s;
using Microsoft.Extensions.Hosting;

namespace JitAdmission.Hosting;

/// <summary>
/// Asks the API server who we are before anything else starts: the guard must know the operator's identity
/// before it can tell the controller's status writes from a user's.
/// </summary>
internal sealed class IdentityResolver(IKubernetes client, OperatorIdentity identity, TimeProvider time, ILogger<IdentityResolver> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var me = await SelfIdentity.WhoAmIAsync(client, cancellationToken);
                identity.Resolve(me.Username);
                HostLog.Identity(logger, me.Username, identity.Namespace);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < 30)
            {
                HostLog.IdentityRetry(logger, e, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), time, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
