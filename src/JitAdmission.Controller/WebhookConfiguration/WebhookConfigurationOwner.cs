using JitAdmission.Controller.Queue;
using JitAdmission.Kubernetes.Certificates;
using JitAdmission.Kubernetes.Events;
using k8s;

namespace JitAdmission.Controller.WebhookConfiguration;

/// <summary>
/// Keeps the Validating- and MutatingWebhookConfiguration as <see cref="DesiredWebhookConfigurations"/> says, on the
/// leader only: created when missing, and replaced within moments when the policies, the CA or the objects themselves
/// change (an edit or a deletion is seen by a watch on them). Updates keep the objects' metadata and any webhook that
/// is not ours, so a Helm release that ships the objects keeps owning (and on uninstall removing) them.
/// It starts only once the process serves: the guard it registers must be able to answer the operator's own writes.
/// </summary>
public sealed class WebhookConfigurationOwner(
    IKubernetes client,
    JitClient jit,
    ClusterCaches caches,
    PolicySetProvider policies,
    ICertificateSource certificates,
    ILeadership leadership,
    OperatorIdentity identity,
    IOptions<WebhookConfigurationOptions> options,
    IOptions<OperatorOptions> operatorOptions,
    IHostApplicationLifetime lifetime,
    IEventRecorder events,
    WebhookTrustMetrics trust,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private const string Key = "webhook-configurations";

    /// <summary>Reconciled this often even without events, in case a watch event was lost.</summary>
    private static readonly TimeSpan Resync = TimeSpan.FromMinutes(5);

    private readonly ILogger _logger = loggers.CreateLogger<WebhookConfigurationOwner>();
    private readonly WebhookConfigurationOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenStartedAsync(stoppingToken);
            // Rules from a partial list of policies would briefly un-gate the rest.
            await caches.Policies.WaitForSyncAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var term = await leadership.WaitForLeadershipAsync(stoppingToken);
                using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term);
                WebhookConfigurationLog.Leading(_logger, _options.ConfigurationName);
                await LeadAsync(leading.Token);
                WebhookConfigurationLog.Stopped(_logger, _options.ConfigurationName);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WhenStartedAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task.WaitAsync(cancellationToken);
    }

    /// <summary>One leadership term: watch the two objects, follow policy and CA changes, reconcile on each.</summary>
    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        var name = _options.ConfigurationName;
        var validating = new ResourceCache<V1ValidatingWebhookConfiguration>(
            client, Descriptor("validatingwebhookconfigurations", name), time, loggers.CreateLogger<ResourceCache<V1ValidatingWebhookConfiguration>>());
        var mutating = new ResourceCache<V1MutatingWebhookConfiguration>(
            client, Descriptor("mutatingwebhookconfigurations", name), time, loggers.CreateLogger<ResourceCache<V1MutatingWebhookConfiguration>>());
        using var queue = new WorkQueue<string>(new WorkQueueOptions(), time);
        void Poke(object? sender, EventArgs e) => queue.Add(Key);
        using var onValidating = validating.Subscribe(_ => queue.Add(Key));
        using var onMutating = mutating.Subscribe(_ => queue.Add(Key));
        policies.Changed += Poke;
        certificates.Changed += Poke;
        try
        {
            var watching = Task.WhenAll(validating.RunAsync(cancellationToken), mutating.RunAsync(cancellationToken));
            queue.Add(Key);
            var loop = new ReconcileLoop<string>("webhook-configurations", queue, (_, ct) => ReconcileAsync(ct), _logger, workers: 1);
            await loop.RunAsync(cancellationToken);
            await watching;
        }
        finally
        {
            policies.Changed -= Poke;
            certificates.Changed -= Poke;
        }
    }

    /// <summary>Reads both objects from the API server (the watches only say when to look) and writes what differs.</summary>
    private async Task<TimeSpan?> ReconcileAsync(CancellationToken cancellationToken)
    {
        var target = WebhookTarget.From(_options, identity.Namespace, certificates.CaBundlePem);
        var validating = DesiredWebhookConfigurations.Validating(
            _options, target, policies.Current.All.Select(p => p.Policy), operatorOptions.Value.ExcludedNamespaces);
        var gateRules = validating.Webhooks[0].Rules.Count;
        var mutating = DesiredWebhookConfigurations.Mutating(_options, target);
        await EnsureAsync(jit.ValidatingWebhookConfigurations, validating, WebhookDrift.Differs, WebhookDrift.Merge, gateRules,
            c => (c.Webhooks ?? []).Select(w => (w.Name, w.ClientConfig?.CaBundle)), cancellationToken);
        await EnsureAsync(jit.MutatingWebhookConfigurations, mutating, WebhookDrift.Differs, WebhookDrift.Merge, gateRules,
            c => (c.Webhooks ?? []).Select(w => (w.Name, w.ClientConfig?.CaBundle)), cancellationToken);
        return Resync;
    }

    /// <summary>Creates the configuration when it is missing and replaces it when it differs from the desired one.</summary>
    private async Task EnsureAsync<T>(
        WebhookConfigurationCalls<T> calls, T desired, Func<T, T?, bool> differs, Func<T, T, T> merge, int gateRules,
        Func<T, IEnumerable<(string Name, byte[]? CaBundle)>> bundles, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var name = _options.ConfigurationName;
        var current = Existing(await calls.GetAsync(name, cancellationToken));
        if (current is null)
        {
            Require(await calls.ApplyAsync(desired, cancellationToken), "create");
            WebhookConfigurationLog.Created(_logger, calls.Kind, name);
        }
        else if (differs(desired, current))
        {
            ReportWrongBundle(calls.Kind, current, bundles(current));
            // A full replace (not an apply): fields someone else set on our webhooks must go, and only a replace does that.
            Require(await calls.ReplaceAsync(merge(current, desired), cancellationToken), "update");
            WebhookConfigurationLog.Updated(_logger, calls.Kind, name, gateRules);
        }
    }

    /// <summary>
    /// A caBundle of ours that is set but does not verify the certificate we serve means the API server refuses every
    /// call to that webhook until the replace below: say so (Event, metric, log), beyond the routine update.
    /// </summary>
    private void ReportWrongBundle<T>(string kind, T current, IEnumerable<(string Name, byte[]? CaBundle)> bundles)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var now = time.GetUtcNow();
        foreach (var (name, bundle) in bundles)
        {
            if (name is not (WebhookNames.Gate or WebhookNames.Release or WebhookNames.Guard or WebhookNames.Stamp) || bundle is not { Length: > 0 }) continue;
            if (CaBundleTrust.Problem(certificates.Current, bundle, now) is not { } problem) continue;
            WebhookConfigurationLog.Repairing(_logger, kind, current.Metadata.Name, $"{name}: {problem}");
            events.Record(current, EventTypes.Warning, "CaBundleRepaired", $"The caBundle of {name} did not verify the serving certificate, so the API server could not call it; restored. {problem}");
            trust.Repaired(kind);
            return;
        }
    }

    private static T? Existing<T>(ApiResult<T> read)
        where T : class =>
        read.Outcome switch
        {
            ApiOutcome.Ok => read.Object,
            ApiOutcome.NotFound => null,
            _ => throw new InvalidOperationException($"cannot read the webhook configuration: {read}"),
        };

    /// <summary>A failed write is retried by the loop with backoff (a conflict means someone wrote meanwhile: read again).</summary>
    private static void Require<T>(ApiResult<T> written, string what)
    {
        if (!written.IsOk) throw new InvalidOperationException($"cannot {what} the webhook configuration: {written}");
    }

    private static ResourceDescriptor Descriptor(string plural, string name) =>
        new ResourceDescriptor("admissionregistration.k8s.io", "v1", plural, Namespaced: false).WithFieldSelector($"metadata.name={name}");
}
