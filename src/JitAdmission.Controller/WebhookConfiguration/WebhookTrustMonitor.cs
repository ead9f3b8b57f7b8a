using JitAdmission.Kubernetes.Certificates;
using JitAdmission.Kubernetes.Events;

namespace JitAdmission.Controller.WebhookConfiguration;

/// <summary>
/// On every replica: checks now and then (and whenever the certificate changes) that the caBundle of each of
/// jit-admission's webhooks in the live ValidatingWebhookConfiguration verifies the certificate this replica serves,
/// as the API server will. A replica the API server cannot verify gets every call refused (failurePolicy decides), so
/// it is reported the moment it starts: a Warning Event on the configuration, <see cref="WebhookTrustMetrics"/>, and
/// the log; and again when it ends. The leader restores a wrong caBundle (<see cref="WebhookConfigurationOwner"/>);
/// this finds what it cannot: a replica that serves a stale or expired certificate, or a leader that cannot write.
/// </summary>
public sealed class WebhookTrustMonitor(
    JitClient jit,
    ICertificateSource certificates,
    IEventRecorder events,
    WebhookTrustMetrics metrics,
    IOptions<WebhookConfigurationOptions> options,
    TimeProvider time,
    ILogger<WebhookTrustMonitor> logger) : BackgroundService
{
    public const string MismatchReason = "CaBundleMismatch";
    public const string TrustedReason = "CaBundleTrusted";

    /// <summary>How often the live configuration is read without a certificate change.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly string _name = options.Value.ConfigurationName;
    private string? _problem;
    private bool _checked;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var changed = new SemaphoreSlim(0);
        void OnChanged(object? sender, EventArgs e) => changed.Release();
        certificates.Changed += OnChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await CheckAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    WebhookConfigurationLog.TrustCheckFailed(logger, e, _name);
                }

                // The next check: after the interval (by the clock, which tests move) or a certificate change.
                using var interval = new CancellationTokenSource(Interval, time);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, interval.Token);
                try
                {
                    await changed.WaitAsync(either.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            certificates.Changed -= OnChanged;
            changed.Dispose();
        }
    }

    /// <summary>One check; returns the problem found, or null when the API server can verify this replica.</summary>
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        if (certificates is SecretCertificateSource { IsReady: false }) return null;
        var read = await jit.ValidatingWebhookConfigurations.GetAsync(_name, cancellationToken);
        if (!read.IsOk) return null; // not registered yet (the leader creates it), or unreadable now: nothing to say
        var configuration = read.Object;
        var ours = (configuration.Webhooks ?? []).Where(w => w.Name is WebhookNames.Gate or WebhookNames.Release or WebhookNames.Guard).ToList();
        // An empty caBundle is a configuration the leader has not filled in yet (a fresh install), not a wrong one.
        if (ours.Count == 0 || ours.All(w => w.ClientConfig?.CaBundle is not { Length: > 0 })) return null;

        var now = time.GetUtcNow();
        var problem = ours
            .Select(w => CaBundleTrust.Problem(certificates.Current, w.ClientConfig?.CaBundle ?? [], now) is { } p ? $"{w.Name}: {p}" : null)
            .FirstOrDefault(p => p is not null);
        metrics.Trusted(problem is null);
        if (problem is not null && problem != _problem)
        {
            WebhookConfigurationLog.NotTrusted(logger, _name, problem);
            events.Record(configuration, EventTypes.Warning, MismatchReason, $"The API server cannot verify the certificate a jit-admission replica serves, so it refuses to call it: {problem}");
        }
        else if (problem is null && _problem is not null)
        {
            WebhookConfigurationLog.TrustedAgain(logger, _name);
            events.Record(configuration, EventTypes.Normal, TrustedReason, "The caBundle verifies the serving certificate again.");
        }

        _problem = problem;
        _checked = true;
        return problem;
    }

    /// <summary>Why the API server cannot verify this replica, as last checked; null when it can or was not checked yet.</summary>
    public string? Problem => _checked ? _problem : null;
}
