using System.Text.Json;
using JitAdmission.Core.Api;
using k8s;
using k8s.Autorest;

namespace JitAdmission.Cli.Kube;

/// <summary>The Kubernetes client, plus authenticated GETs of paths the typed API does not reach exactly.</summary>
internal sealed class KubeClient(KubernetesClientConfiguration configuration, params DelegatingHandler[] handlers)
    : WatchableKubernetes(configuration, handlers)
{
    /// <summary>GET a path relative to the server (e.g. "api/v1" — the typed client asks for "/api/v1/", which not every
    /// API server serves); failures throw <see cref="HttpOperationException"/> like the typed calls.</summary>
    public async Task<T> GetJsonAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendRequest<object?>(path, HttpMethod.Get, null, null, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpOperationException($"GET {path} returned {(int)response.StatusCode}")
            {
                Response = new HttpResponseMessageWrapper(response, body),
            };
        return KubernetesJson.Deserialize<T>(body);
    }
}
