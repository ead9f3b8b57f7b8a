using System.Net;
using System.Text;
using JitAdmission.Cli.CommandLine;
using JitAdmission.Cli.Kube;
using k8s;
using Microsoft.Extensions.Time.Testing;

namespace JitAdmission.Cli.Tests.TestSupport;

/// <summary>
/// An API server in a message handler: the plugin's real client (authentication, request building, error handling) talks
/// to it, and it answers from the routes a test gives ("METHOD path" → code and body), recording every call.
/// </summary>
internal sealed class FakeApi : DelegatingHandler
{
    private readonly Dictionary<string, Queue<(HttpStatusCode Code, string Body)>> _routes = new(StringComparer.Ordinal);

    public List<(string Method, string PathAndQuery, string? ContentType, string Body)> Calls { get; } = [];

    public StringWriter Out { get; } = new();
    public StringWriter Err { get; } = new();

    /// <summary>Answers "METHOD /path" (without the query) with these answers in turn; the last one repeats.</summary>
    public FakeApi On(string route, HttpStatusCode code, string body)
    {
        if (!_routes.TryGetValue(route, out var answers)) _routes[route] = answers = new();
        answers.Enqueue((code, body));
        return this;
    }

    public FakeTimeProvider Time { get; } = new(Requests.T0);

    public CliContext Context => field ??= new CliContext(Out, Err, Time, _ => null);

    public ClusterSession Session(string @namespace = "prod", bool namespaceGiven = false)
    {
        var client = new KubeClient(new KubernetesClientConfiguration { Host = "https://api.test:6443/" }, this);
        return ClusterSession.For(client, @namespace, namespaceGiven, Context);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        Calls.Add((request.Method.Method, request.RequestUri!.PathAndQuery, request.Content?.Headers.ContentType?.MediaType, body));
        var route = $"{request.Method.Method} {request.RequestUri.AbsolutePath}";
        if (!_routes.TryGetValue(route, out var answers))
            return Answer(HttpStatusCode.NotFound, Status(404, "NotFound", "the server could not find the requested resource"));
        var (code, text) = answers.Count > 1 ? answers.Dequeue() : answers.Peek();
        return Answer(code, text);
    }

    private static HttpResponseMessage Answer(HttpStatusCode code, string body) =>
        new(code) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    /// <summary>A metav1.Status as the API server sends it; <paramref name="details"/> is the raw JSON of its details, if any.</summary>
    public static string Status(int code, string reason, string message, string? details = null) =>
        $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":{{System.Text.Json.JsonSerializer.Serialize(message)}},"reason":"{{reason}}"{{(details is null ? "" : ",\"details\":" + details)}},"code":{{code}}}""";

    public const string CoreResources = """
        {"kind":"APIResourceList","groupVersion":"v1","resources":[
          {"name":"configmaps","singularName":"configmap","namespaced":true,"kind":"ConfigMap","verbs":["get","patch"]},
          {"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret","verbs":["get","patch"]},
          {"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","verbs":["get","patch"]}]}
        """;

    public const string AppsResources = """
        {"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
          {"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment","verbs":["get","patch"]},
          {"name":"deployments/scale","singularName":"","namespaced":true,"kind":"Scale","verbs":["get","patch"]}]}
        """;
}
