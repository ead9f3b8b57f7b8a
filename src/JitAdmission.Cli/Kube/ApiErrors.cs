using System.Net;
using System.Security.Authentication;
using k8s.Autorest;

namespace JitAdmission.Cli.Kube;

/// <summary>Turns failed API calls into one-line messages for people, without stack traces, from the Status's structure.</summary>
internal static class ApiErrors
{
    /// <summary>Reads the Status body of a failed call; null when the exception is not an API answer.</summary>
    public static ApiFailure? Read(Exception exception)
    {
        if (exception is not HttpOperationException { Response: { } response } operation) return null;
        var body = response.Content ?? "";
        var status = ParseStatus(body);
        var call = operation.Request is { } request ? ApiCall.From(request.Method.Method, request.RequestUri) : null;
        var message = status?.Message is { Length: > 0 } m ? m
            : status is null && body.Trim().Length > 0 ? FirstLine(body)
            : $"{(int)response.StatusCode} {response.ReasonPhrase}".Trim();
        return new ApiFailure(response.StatusCode, status?.Reason ?? "", message) { Body = body, Details = status?.Details, Call = call };
    }

    /// <summary>A message for the failure; <paramref name="subject"/> names what was asked for ("approvalrequest \"x\" in namespace \"y\"").</summary>
    public static CliException Explain(Exception exception, string? subject = null, string? user = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is CliException cli) return cli;
        if (Read(exception) is { } failure) return new CliException(Describe(failure, subject, user), exception);
        return exception switch
        {
            HttpRequestException { InnerException: AuthenticationException tls } =>
                new CliException($"TLS failure talking to the API server: {tls.Message}", exception),
            HttpRequestException http => new CliException($"cannot reach the API server: {http.Message}", exception),
            TaskCanceledException or TimeoutException => new CliException("the API server did not answer in time", exception),
            JsonException json => new CliException($"the API server sent something unexpected: {json.Message}", exception),
            _ => new CliException($"{exception.GetType().Name}: {FirstLine(exception.Message)}", exception),
        };
    }

    public static bool IsNotFound(Exception exception) => Read(exception)?.Code == HttpStatusCode.NotFound;

    public static bool IsForbidden(Exception exception) =>
        Read(exception)?.Code is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized;

    /// <summary>A call to a resource type the server does not serve (a NotFound that names no object).</summary>
    public static bool IsMissingApi(Exception exception) => Read(exception)?.IsMissingApi == true;

    /// <summary>The failure in words: RBAC refusals say what is missing and which role grants it; others keep the API server's message.</summary>
    public static string Describe(ApiFailure failure, string? subject, string? user)
    {
        ArgumentNullException.ThrowIfNull(failure);
        switch (failure.Code)
        {
            case HttpStatusCode.NotFound when failure.IsMissingApi:
                return "the API server does not serve the requested resource (404): is the API installed?";
            case HttpStatusCode.NotFound when subject is not null:
                return $"{subject} not found (kubectl jit list -A lists the requests you can see)";
            case HttpStatusCode.Unauthorized:
                return $"the API server did not accept your credentials ({Safe(failure.Message)}): check the user in your kubeconfig";
            case HttpStatusCode.Forbidden when failure.IsPermissionDenied:
                return PermissionAdvice.Explain(failure.Call!, user) + $"\n  (the API server said: {Safe(failure.Message)})";
            default:
                return Safe(failure.Message.Trim().ReplaceLineEndings("\n"));
        }
    }

    // Messages carry names and text other people wrote (a webhook's, an object's): never raw control characters.
    private static string Safe(string text) => TerminalText.Escape(text, multiline: true);

    private static V1Status? ParseStatus(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? KubernetesJson.Deserialize<V1Status>(body) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string FirstLine(string text)
    {
        var trimmed = text.Trim();
        var end = trimmed.IndexOfAny(['\r', '\n']);
        return end < 0 ? trimmed : trimmed[..end];
    }
}
