using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using JitAdmission.Kubernetes.Api;

namespace JitAdmission.Kubernetes.Certificates;

/// <summary>
/// A self-managed CA and serving certificate kept in one Secret in the operator's namespace. Every replica
/// watches the Secret and serves what it holds. When the Secret is missing any replica may create it (a webhook
/// must not wait for an election to serve; concurrent creates resolve through AlreadyExists); only the leader
/// renews: the serving certificate at 2/3 of its lifetime, the CA at 2/3 of its lifetime in two phases (trust
/// first, sign after <see cref="SecretCertificateOptions.CaPropagationDelay"/>), during which
/// <see cref="CaBundlePem"/> holds both CAs. Concurrent writers resolve through Conflict.
/// </summary>
public sealed class SecretCertificateSource : ICertificateSource, IDisposable
{
    private readonly JitClient _client;
    private readonly SecretCertificateOptions _options;
    private readonly Func<bool> _isLeader;
    private readonly TimeProvider _time;
    private readonly CertificateFactory _factory;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly string _secret;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writes = new(1, 1);
    private X509Certificate2? _current;
    private string _caBundlePem = "";
    private ResourceCache<V1Secret>? _cache;

    public SecretCertificateSource(
        IKubernetes client,
        SecretCertificateOptions options,
        Func<bool> isLeader,
        TimeProvider time,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Namespace)) throw new ArgumentException("SecretCertificateOptions.Namespace is required");
        if (options.DnsNames.Count == 0 && options.IpAddresses.Count == 0) throw new ArgumentException("SecretCertificateOptions needs DNS names or IP addresses");
        // Certificates are back-dated by the clock skew allowance, so a shorter life would be due for renewal at once.
        if (options.ServingLifetime < MinServingLifetime || options.ServingLifetime >= options.CaLifetime)
            throw new ArgumentException($"Certificates:ServingLifetime must be at least {MinServingLifetime} and shorter than the CA's {options.CaLifetime}; it is {options.ServingLifetime}");
        if (options.CheckInterval <= TimeSpan.Zero) throw new ArgumentException($"Certificates:CheckInterval must be positive; it is {options.CheckInterval}");
        _client = new JitClient(client);
        _options = options;
        _isLeader = isLeader;
        _time = time;
        _factory = new CertificateFactory(time);
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SecretCertificateSource>();
        _secret = $"{options.Namespace}/{options.SecretName}";
    }

    /// <summary>The shortest serving lifetime that is not due at once (certificates are back-dated by <see cref="CertificateFactory.ClockSkew"/>).</summary>
    public static readonly TimeSpan MinServingLifetime = TimeSpan.FromMinutes(3);

    /// <summary>True once a serving certificate is loaded (after <see cref="InitializeAsync"/>).</summary>
    public bool IsReady
    {
        get
        {
            lock (_gate) return _current is not null;
        }
    }

    public X509Certificate2 Current
    {
        get
        {
            lock (_gate) return _current ?? throw new InvalidOperationException("the certificate Secret has not been loaded yet (InitializeAsync)");
        }
    }

    public string CaBundlePem
    {
        get
        {
            lock (_gate) return _caBundlePem;
        }
    }

    public event EventHandler? Changed;

    /// <summary>Reads the Secret (creating or repairing it when needed) and loads its certificate.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var read = await _client.GetSecretAsync(_options.Namespace, _options.SecretName, cancellationToken);
            if (read.Outcome is not (ApiOutcome.Ok or ApiOutcome.NotFound)) throw new InvalidOperationException($"cannot read the certificate Secret {_secret}: {read}");
            var existing = read.IsOk ? read.Object : null;
            var usable = existing is not null && Load(existing);
            if (usable && !_isLeader()) return;
            var written = await EnsureAsync(existing, cancellationToken);
            if (written || usable) return;
            if (attempt >= 5) throw new InvalidOperationException($"could not settle the certificate Secret {_secret} after {attempt} attempts");
        }
    }

    /// <summary>Follows the Secret (every replica) and renews what is due (leader only) until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; !IsReady; attempt++)
        {
            try
            {
                await InitializeAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The API server may not be reachable yet; keep trying (the webhook is not ready meanwhile).
                CertificateLog.MaintenanceFailed(_logger, e, _secret);
                await Task.Delay(Jitter.Backoff(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)), _time, cancellationToken);
            }
        }

        var descriptor = ResourceDescriptor.Secrets.InNamespace(_options.Namespace).WithFieldSelector($"metadata.name={_options.SecretName}");
        var cache = new ResourceCache<V1Secret>(_client.Kubernetes, descriptor, _time, _loggerFactory.CreateLogger<ResourceCache<V1Secret>>());
        _cache = cache;
        using var subscription = cache.Subscribe(e =>
        {
            if (e.NewObject is { } secret) Load(secret);
        });
        var watch = cache.RunAsync(cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_options.CheckInterval, _time, cancellationToken);
                if (!_isLeader() || !cache.IsSynced) continue;
                try
                {
                    await EnsureAsync(cache.Get(_options.Namespace, _options.SecretName), cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    CertificateLog.MaintenanceFailed(_logger, e, _secret);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await watch;
    }

    public void Dispose() => _writes.Dispose();

    /// <summary>Writes the next state if something is due; true when this call wrote it.</summary>
    private async Task<bool> EnsureAsync(V1Secret? existing, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            var plan = CertificateRotation.Plan(StoredCertificates.Parse(existing), _options, _factory, _time.GetUtcNow());
            if (plan is not { } p) return false;
            var desired = p.Next.ToSecret(_options.Namespace, _options.SecretName, existing);
            var result = existing is null
                ? await _client.CreateSecretAsync(desired, cancellationToken)
                : await _client.ReplaceSecretAsync(desired, cancellationToken);
            if (result.Outcome is ApiOutcome.AlreadyExists or ApiOutcome.Conflict)
            {
                CertificateLog.SecretWriteRaced(_logger, _secret, result.Outcome);
                return false;
            }

            if (!result.IsOk) throw new InvalidOperationException($"cannot write the certificate Secret {_secret}: {result}");
            CertificateLog.SecretWritten(_logger, _secret, p.Actions);
            _cache?.Upsert(result.Object);
            Load(result.Object);
            return true;
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Serves what the Secret holds if it is a valid pair; true when usable.</summary>
    private bool Load(V1Secret secret)
    {
        var data = secret.Data ?? new Dictionary<string, byte[]>();
        if (!data.TryGetValue(StoredCertificates.ServingCert, out var cert) || !data.TryGetValue(StoredCertificates.ServingKey, out var key))
        {
            CertificateLog.Rejected(_logger, _secret, "no tls.crt/tls.key");
            return false;
        }

        X509Certificate2 serving;
        try
        {
            serving = CertificateFactory.FromPem(Encoding.ASCII.GetString(cert), Encoding.ASCII.GetString(key));
        }
        catch (CryptographicException e)
        {
            CertificateLog.Rejected(_logger, _secret, e.Message);
            return false;
        }

        var notAfter = serving.NotAfter.ToUniversalTime();
        if (notAfter <= _time.GetUtcNow().UtcDateTime)
        {
            CertificateLog.Rejected(_logger, _secret, "the serving certificate has expired");
            return false;
        }

        var bundle = data.TryGetValue(StoredCertificates.TrustBundle, out var ca) ? Encoding.ASCII.GetString(ca) : "";
        bool changed;
        lock (_gate)
        {
            changed = _current?.Thumbprint != serving.Thumbprint || !string.Equals(_caBundlePem, bundle, StringComparison.Ordinal);
            if (changed)
            {
                _current = serving;
                _caBundlePem = bundle;
            }
        }

        if (changed)
        {
            CertificateLog.Loaded(_logger, _secret, serving.Subject, notAfter, serving.Thumbprint);
            try
            {
                Changed?.Invoke(this, EventArgs.Empty);
            }
            catch (Exception e)
            {
                CertificateLog.HandlerFailed(_logger, e);
            }
        }

        return true;
    }
}
