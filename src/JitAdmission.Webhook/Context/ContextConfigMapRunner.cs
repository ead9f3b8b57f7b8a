using JitAdmission.Kubernetes.Runtime;
using Microsoft.Extensions.Hosting;

namespace JitAdmission.Webhook.Context;

/// <summary>Keeps <see cref="ContextConfigMaps"/> following the policies for the life of the process.</summary>
internal sealed class ContextConfigMapRunner(PolicySetProvider policies, ContextConfigMaps configMaps) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        void Follow(object? sender, EventArgs e) => configMaps.Follow(policies.Current);
        policies.Changed += Follow;
        try
        {
            configMaps.Follow(policies.Current);
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            policies.Changed -= Follow;
            configMaps.Dispose();
        }
    }
}
