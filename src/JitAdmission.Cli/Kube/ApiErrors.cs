using System.Net;
using System.Security.Authentication;
using System.Text.Json;
using JitAdmission.Cli.CommandLine;
using k8s.Autorest;

namespace JitAdmission.Cli.Kube;

/// <summary>Turns failed API calls into one-line messages for people, without stack traces.</summary>
internal static class ApiErrors
{
    /// <summary>Reads the Status body of a failed call; null when the exception is not an API answer.</summary>
    public static ApiFailure? Read(Exception exception)
    {
        if (exception is not HttpOperationException { Response: { } response }) return null;
        var (reason, message) = ParseStatus(response.Content);
        return new ApiFailure(response.StatusCode, reason ?? "", message ?? $"{(int)response.StatusCode} {response.ReasonPhrase}".Trim());
    }

    /// <summary>A message for the failure; <paramref name="subject"/> names what was asked for ("approvalrequest \"x\" in namespace \"y\"").</summary>
    public static CliException Explain(Exception exception, string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is CliException cli) return cli;
        if (Read(exception) is { } failure) return new CliException(Describe(failure, subject), exception);
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

    private static string Describe(ApiFailure failure, string? subject)
    {
        switch (failure.Code)
        {
            case HttpStatusCode.NotFound when IsMissingApi(failure):
                return "the API server does not serve the requested resource (404): is the API installed?";
            case HttpStatusCode.NotFound when subject is not null:
                return $"{subject} not found (kubectl jit list -A lists the requests you can see)";
            case HttpStatusCode.Unauthorized:
                return $"the API server did not accept your credentials ({failure.Message}): check the user in your kubeconfig";
            default:
                return FirstLines(failure.Message);
        }
    }

    /// <summary>A call to a resource type the server does not serve (a NotFound without details of an object).</summary>
    public static bool IsMissingApi(Exception exception) => Read(exception) is { Code: HttpStatusCode.NotFound } failure && IsMissingApi(failure);

    private static bool IsMissingApi(ApiFailure failure) =>
        failure.Message.Contains("could not find the requested resource", StringComparison.OrdinalIgnoreCase)
        || failure.Message.StartsWith("404 ", StringComparison.Ordinal);

    private static (string? Reason, string? Message) ParseStatus(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return (null, null);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, FirstLine(body));
            return (Text(root, "reason"), Text(root, "message"));
        }
        catch (JsonException)
        {
            return (null, FirstLine(body));
        }

        static string? Text(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    private static string FirstLine(string text)
    {
        var trimmed = text.Trim();
        var end = trimmed.IndexOfAny(['\r', '\n']);
        return end < 0 ? trimmed : trimmed[..end];
    }

    // Webhook denials are several lines on purpose (what, progress, how to approve): keep them, trimmed.
    private static string FirstLines(string text) => text.Trim().ReplaceLineEndings("\n");
}
