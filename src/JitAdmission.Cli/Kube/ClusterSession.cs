namespace JitAdmission.Cli.Kube;

/// <summary>One command's connection to the cluster: the client, the namespace, and what it learns once (who the caller is, the policies).</summary>
internal sealed class ClusterSession : IDisposable
{
    private readonly KubeClient _client;
    private readonly CliContext _context;
    private readonly Dictionary<string, V1APIResourceList?> _discovery = new(StringComparer.Ordinal);
    private CallerIdentity? _caller;
    private PolicySnapshot? _policies;

    private ClusterSession(KubeClient client, string @namespace, bool namespaceGiven, CliContext context)
    {
        _client = client;
        _context = context;
        Namespace = @namespace;
        NamespaceGiven = namespaceGiven;
        Requests = new ApprovalRequestApi(client, () => KnownUsername);
    }

    public KubeClient Client => _client;

    /// <summary>-n, else the context's namespace, else "default".</summary>
    public string Namespace { get; }

    /// <summary>Whether -n was given (as opposed to the context's namespace).</summary>
    public bool NamespaceGiven { get; }

    public ApprovalRequestApi Requests { get; }

    /// <summary>The caller's username once known (a 403's advice names them).</summary>
    public string? KnownUsername => _caller?.Username ?? _context.Username;

    public static ClusterSession Open(ConnectionSettings settings, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var target = KubeConfigLoader.Load(settings, context.Environment);
        try
        {
            DelegatingHandler[] handlers = target.Impersonation is { } who ? [new ImpersonationHandler(who)] : [];
            return new ClusterSession(new KubeClient(target.Configuration, handlers), target.Namespace, target.NamespaceGiven, context);
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or k8s.Exceptions.KubeConfigException)
        {
            throw new CliException($"cannot use the credentials in the kubeconfig: {e.Message}", e);
        }
    }

    /// <summary>A session over a client made elsewhere (tests: a client whose handler answers for the API server).</summary>
    internal static ClusterSession For(KubeClient client, string @namespace, bool namespaceGiven, CliContext context) =>
        new(client, @namespace, namespaceGiven, context);

    /// <summary>The caller's username for advice on a refusal: known already, else asked once; null when that fails too.</summary>
    public async Task<string?> UsernameForAdviceAsync(CancellationToken cancellationToken)
    {
        if (KnownUsername is { } known) return known;
        try
        {
            return (await WhoAmIAsync(cancellationToken)).Username;
        }
        catch (CliException)
        {
            return null;
        }
    }

    /// <summary>The caller's username, uid and groups from a SelfSubjectReview (authentication.k8s.io/v1).</summary>
    public async Task<CallerIdentity> WhoAmIAsync(CancellationToken cancellationToken)
    {
        if (_caller is not null) return _caller;
        V1SelfSubjectReview review;
        try
        {
            review = await _client.AuthenticationV1.CreateSelfSubjectReviewAsync(
                new V1SelfSubjectReview { ApiVersion = "authentication.k8s.io/v1", Kind = "SelfSubjectReview" },
                cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (ApiErrors.IsNotFound(e))
                throw new CliException("the API server does not support SelfSubjectReview (authentication.k8s.io/v1, Kubernetes 1.28+), "
                    + "which kubectl jit uses to find out who you are", e);
            throw ApiErrors.Explain(e, user: KnownUsername);
        }

        var user = review.Status?.UserInfo;
        if (string.IsNullOrEmpty(user?.Username))
            throw new CliException("the API server did not say who you are (SelfSubjectReview without a username)");
        _caller = new CallerIdentity(user.Username, string.IsNullOrEmpty(user.Uid) ? null : user.Uid, [.. user.Groups ?? []]);
        _context.Username = _caller.Username;
        return _caller;
    }

    /// <summary>All ApprovalPolicies, or why they cannot be read (then commands rely on the requests' status).</summary>
    public async Task<PolicySnapshot> PoliciesAsync(CancellationToken cancellationToken)
    {
        if (_policies is not null) return _policies;
        try
        {
            var list = await _client.CustomObjects.ListClusterCustomObjectAsync<ApprovalPolicyList>(
                ApiConstants.Group, ApiConstants.Version, ApiConstants.PolicyPlural, cancellationToken: cancellationToken);
            _policies = new PolicySnapshot([.. list.Items ?? []], null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (!ApiErrors.IsForbidden(e) && !ApiErrors.IsNotFound(e)) throw ApiErrors.Explain(e, user: KnownUsername);
            _policies = new PolicySnapshot(null, ApiErrors.Read(e)?.Message ?? e.Message);
        }

        return _policies;
    }

    /// <summary>
    /// The resource that serves <paramref name="kind"/> in <paramref name="group"/>/<paramref name="version"/>, from API
    /// discovery (asked once per group and version); null when the server serves no such kind.
    /// </summary>
    public async Task<ResolvedResource?> KindAsync(string group, string version, string kind, CancellationToken cancellationToken) =>
        ResourceResolver.FindKind(await DiscoverAsync(group, version, cancellationToken), group, version, kind);

    /// <summary>The resource <paramref name="resource"/> (plural) of <paramref name="group"/>/<paramref name="version"/>; null when not served.</summary>
    public async Task<ResolvedResource?> ResourceAsync(string group, string version, string resource, CancellationToken cancellationToken) =>
        ResourceResolver.FindResource(await DiscoverAsync(group, version, cancellationToken), group, version, resource);

    private async Task<V1APIResourceList?> DiscoverAsync(string group, string version, CancellationToken cancellationToken)
    {
        var path = ResolvedResource.GroupVersionPath(group, version);
        if (_discovery.TryGetValue(path, out var known)) return known;
        try
        {
            known = await _client.GetJsonAsync<V1APIResourceList>(path, cancellationToken);
        }
        catch (Exception e) when (ApiErrors.Read(e) is { Code: System.Net.HttpStatusCode.NotFound })
        {
            known = null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"API discovery of {(group.Length == 0 ? version : $"{group}/{version}")} failed: "
                + ApiErrors.Explain(e, user: KnownUsername).Message, e);
        }

        _discovery[path] = known;
        return known;
    }

    /// <summary>Forgets the policies read so far (a long wait re-reads them: an admin may change a policy meanwhile).</summary>
    public void RefreshPolicies() => _policies = null;

    public void Dispose() => _client.Dispose();
}
