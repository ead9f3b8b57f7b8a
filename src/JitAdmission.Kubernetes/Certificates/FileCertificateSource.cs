using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace JitAdmission.Kubernetes.Certificates;

/// <summary>
/// A serving certificate from files (tls.crt, tls.key and optionally ca.crt), as cert-manager and the kubelet mount a
/// Secret. The kubelet updates a mounted Secret by swapping a <c>..data</c> symlink, which changes no watched file
/// in place, so any change in the directory triggers a reload, and a periodic poll catches whatever the watcher
/// misses. A new pair is only used once it parses, the key matches the certificate and it has not expired; a
/// half-written update is ignored until it is complete.
/// </summary>
public sealed class FileCertificateSource : ICertificateSource, IDisposable
{
    private readonly string _certFile;
    private readonly string _keyFile;
    private readonly string? _caFile;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _reload = new();
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly ITimer _poll;
    private byte[] _loadedHash = [];
    private volatile X509Certificate2 _current = null!;
    private volatile string _caBundlePem = "";

    /// <summary>Loads the files now (throws when they are unusable) and then follows changes.</summary>
    public FileCertificateSource(
        string certFile,
        string keyFile,
        string? caFile,
        TimeProvider time,
        ILogger<FileCertificateSource> logger,
        TimeSpan? pollInterval = null,
        bool watchFileSystem = true)
    {
        _certFile = Path.GetFullPath(certFile);
        _keyFile = Path.GetFullPath(keyFile);
        _caFile = caFile is null ? null : Path.GetFullPath(caFile);
        _time = time;
        _logger = logger;
        if (!TryReload(out var error)) throw new InvalidOperationException($"cannot load the serving certificate from {_certFile}: {error}");

        if (watchFileSystem)
        {
            foreach (var dir in new[] { _certFile, _keyFile, _caFile }.OfType<string>().Select(Path.GetDirectoryName).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                var watcher = new FileSystemWatcher(dir)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.CreationTime | NotifyFilters.Size,
                    IncludeSubdirectories = false,
                };
                watcher.Changed += OnFileEvent;
                watcher.Created += OnFileEvent;
                watcher.Renamed += OnFileEvent;
                watcher.Deleted += OnFileEvent;
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
        }

        var interval = pollInterval ?? TimeSpan.FromSeconds(30);
        _poll = _time.CreateTimer(state => TryReload(out string? _), null, interval, interval);
    }

    public X509Certificate2 Current => _current;

    public string CaBundlePem => _caBundlePem;

    public event EventHandler? Changed;

    /// <summary>Reads the files and switches to them when they differ from what is loaded and are valid.</summary>
    public bool TryReload(out string? error)
    {
        lock (_reload)
        {
            error = null;
            string certPem, keyPem, caPem;
            try
            {
                certPem = File.ReadAllText(_certFile);
                keyPem = File.ReadAllText(_keyFile);
                caPem = _caFile is not null && File.Exists(_caFile) ? File.ReadAllText(_caFile) : "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = e.Message;
                CertificateLog.Rejected(_logger, _certFile, error);
                return false;
            }

            var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(certPem + "\0" + keyPem + "\0" + caPem));
            if (hash.AsSpan().SequenceEqual(_loadedHash)) return false;

            X509Certificate2 certificate;
            try
            {
                certificate = CertificateFactory.FromPem(certPem, keyPem);
            }
            catch (CryptographicException e)
            {
                error = "certificate and key do not form a pair: " + e.Message;
                CertificateLog.Rejected(_logger, _certFile, error);
                return false;
            }

            var notAfter = certificate.NotAfter.ToUniversalTime();
            if (notAfter <= _time.GetUtcNow().UtcDateTime)
            {
                error = $"the certificate expired at {notAfter:u}";
                CertificateLog.Rejected(_logger, _certFile, error);
                certificate.Dispose();
                return false;
            }

            var first = _current is null;
            _current = certificate;
            _caBundlePem = caPem.Length > 0 ? caPem : certPem; // without ca.crt, trust what was served (self-signed or full chain)
            _loadedHash = hash;
            CertificateLog.Loaded(_logger, _certFile, certificate.Subject, notAfter, certificate.Thumbprint);
            if (!first) RaiseChanged();
            return true;
        }
    }

    public void Dispose()
    {
        _poll.Dispose();
        foreach (var w in _watchers) w.Dispose();
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => TryReload(out string? _);

    private void RaiseChanged()
    {
        try
        {
            Changed?.Invoke(this, EventArgs.Empty);
        }
        catch (Exception e)
        {
            CertificateLog.HandlerFailed(_logger, e);
        }
    }
}
