namespace JitAdmission.Cli.Kube;

/// <summary>
/// Adds the Impersonate-* headers to every call, as kubectl does for --as or a kubeconfig user with <c>as:</c>. The
/// Kubernetes client reads those kubeconfig fields but does not send them, so without this the plugin would act as the
/// underlying credentials while kubectl acts as the impersonated user.
/// </summary>
internal sealed class ImpersonationHandler(Impersonation impersonation) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Remove("Impersonate-User");
        request.Headers.Add("Impersonate-User", impersonation.User);
        foreach (var group in impersonation.Groups) request.Headers.Add("Impersonate-Group", group);
        if (impersonation.Uid is { Length: > 0 } uid) request.Headers.Add("Impersonate-Uid", uid);
        foreach (var (key, values) in impersonation.Extra)
            foreach (var value in values) request.Headers.Add("Impersonate-Extra-" + Uri.EscapeDataString(key), value);
        return base.SendAsync(request, cancellationToken);
    }
}
