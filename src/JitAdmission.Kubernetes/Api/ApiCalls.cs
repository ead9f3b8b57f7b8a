using System.Net;
using System.Text.Json;
using k8s.Autorest;

namespace JitAdmission.Kubernetes.Api;

/// <summary>Runs an API call and turns the server's expected refusals and transport failures into an <see cref="ApiResult{T}"/>.</summary>
public static class ApiCalls
{
    public static async Task<ApiResult<T>> RunAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return ApiResult.Ok(await call());
        }
        catch (HttpOperationException e)
        {
            return FromHttpError<T>(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or JsonException)
        {
            return new ApiResult<T>(ApiOutcome.Failed, Message: e.Message);
        }
    }

    public static ApiResult<T> FromHttpError<T>(HttpOperationException e)
    {
        var code = e.Response?.StatusCode ?? 0;
        var (reason, message) = ReadStatus(e.Response?.Content);
        var outcome = code switch
        {
            HttpStatusCode.Conflict when string.Equals(reason, "AlreadyExists", StringComparison.Ordinal) => ApiOutcome.AlreadyExists,
            HttpStatusCode.Conflict => ApiOutcome.Conflict,
            HttpStatusCode.NotFound => ApiOutcome.NotFound,
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity => ApiOutcome.Invalid,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ApiOutcome.Forbidden,
            _ => ApiOutcome.Failed,
        };
        return new ApiResult<T>(outcome, Message: message ?? e.Message, StatusCode: (int)code);
    }

    private static (string? Reason, string? Message) ReadStatus(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return (null, null);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, body);
            return (Get(root, "reason"), Get(root, "message") ?? body);
        }
        catch (JsonException)
        {
            return (null, body.Length > 512 ? body[..512] : body);
        }

        static string? Get(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }
}
