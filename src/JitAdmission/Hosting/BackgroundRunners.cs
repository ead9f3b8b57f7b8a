using JitAdmission.Kubernetes.Certificates;
using JitAdmission.Kubernetes.Events;
using JitAdmission.Kubernetes.Leadership;
using Microsoft.Extensions.Hosting;

namespace JitAdmission.Hosting;

/// <summary>Runs the list+watch caches for the life of the process.</summary>
internal sealed class CacheRunner(ClusterCaches caches) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => caches.RunAsync(stoppingToken);
}

/// <summary>Follows (and, on the leader, renews) the self-managed certificate Secret.</summary>
internal sealed class CertificateRunner(ICertificateSource source) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        source is SecretCertificateSource secret ? secret.RunAsync(stoppingToken) : Task.CompletedTask;
}

/// <summary>Campaigns for the Lease; releases it on shutdown so another replica takes over at once.</summary>
internal sealed class LeaderElectionRunner(LeaderElection election) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => election.RunAsync(stoppingToken);
}

/// <summary>Sends the Events queued by the <see cref="EventRecorder"/>.</summary>
internal sealed class EventRunner(EventRecorder recorder) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => recorder.RunAsync(stoppingToken);
}
