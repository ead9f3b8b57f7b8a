using System.Net;
using System.Net.Http.Headers;
using System.Text;
using k8s.Autorest;

namespace JitAdmission.Cli.Kube;

/// <summary>The Kubernetes client, plus authenticated calls to paths the typed API does not reach exactly (any resource, by path).</summary>
internal sealed class KubeClient(KubernetesClientConfiguration configuration, params DelegatingHandler[] handlers)
    : WatchableKubernetes(configuration, handlers)
{
    /// <summary>GET a path relative to the server (e.g. "api/v1" — the typed client asks for "/api/v1/", which not every
    /// API server serves); failures throw <see cref="HttpOperationException"/> like the typed calls.</summary>
    public async Task<T> GetJsonAsync<T>(string path, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, path, null, null, cancellationToken);
        return KubernetesJson.Deserialize<T>(response.Body);
    }

    /// <summary>
    /// Sends <paramref name="body"/> as <paramref name="contentType"/> to a path relative to the server. A failure throws
    /// <see cref="HttpOperationException"/> carrying the request (method and URI: what was asked) and the response body
    /// (the Status), as the typed calls do.
    /// </summary>
    public async Task<RawResponse> SendAsync(HttpMethod method, string path, string? body, string? contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        using var request = new HttpRequestMessage(method, new Uri(BaseUri, path)) { Version = HttpVersion.Version20 };
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await SendRequestRaw(body ?? "", request, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Request is null)
        {
            e.Request = new HttpRequestMessageWrapper(request, body ?? "");
            throw;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
                throw new HttpOperationException($"{method} {path} returned {(int)response.StatusCode}")
                {
                    Request = new HttpRequestMessageWrapper(request, body ?? ""),
                    Response = new HttpResponseMessageWrapper(response, text),
                };
            return new RawResponse(response.StatusCode, text)
            {
                Warnings = response.Headers.TryGetValues("Warning", out var warnings) ? [.. warnings.Select(WarningText).OfType<string>()] : [],
            };
        }
    }

    /// <summary>The text of a <c>Warning: 299 - "text"</c> header value (RFC 7234 quoted string); null when it is not one.</summary>
    internal static string? WarningText(string header)
    {
        var start = header.IndexOf('"', StringComparison.Ordinal);
        if (start < 0) return null;
        var text = new StringBuilder();
        for (var i = start + 1; i < header.Length; i++)
        {
            var c = header[i];
            if (c == '"') return text.ToString();
            if (c == '\\' && i + 1 < header.Length) c = header[++i];
            text.Append(c);
        }

        return null;
    }
}

/// <summary>A successful answer: its code (201 when an apply created the object) and body.</summary>
internal sealed record RawResponse(HttpStatusCode Code, string Body)
{
    /// <summary>The text of each warning the API server sent (admission webhooks' included).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
