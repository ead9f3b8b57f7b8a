namespace JitAdmission.Kubernetes.Api;

/// <summary>How an API call ended. The expected outcomes of writes are values, not exceptions.</summary>
public enum ApiOutcome
{
    Ok,
    /// <summary>409 AlreadyExists on create (e.g. another replica created the same deterministic name first).</summary>
    AlreadyExists,
    /// <summary>409 Conflict: the resourceVersion (or a delete precondition) no longer matches; re-read and retry.</summary>
    Conflict,
    /// <summary>404.</summary>
    NotFound,
    /// <summary>400/422: the server rejected the object (schema, CEL rules, a webhook denial).</summary>
    Invalid,
    /// <summary>401/403.</summary>
    Forbidden,
    /// <summary>Anything else: 5xx, 429, a transport error or timeout.</summary>
    Failed,
}

/// <summary>The outcome of an API call, with the object the server returned when it succeeded.</summary>
public sealed record ApiResult<T>(ApiOutcome Outcome, T? Value = default, string? Message = null, int? StatusCode = null)
{
    public bool IsOk => Outcome == ApiOutcome.Ok;

    /// <summary>The returned object; throws when the call did not succeed (use after checking <see cref="IsOk"/>).</summary>
    public T Object => IsOk && Value is not null ? Value : throw new InvalidOperationException($"API call did not return an object: {this}");

    public ApiResult<TOther> As<TOther>() => new(Outcome, default, Message, StatusCode);

    public override string ToString() => IsOk ? "Ok" : $"{Outcome} ({StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no status"}): {Message}";
}

public static class ApiResult
{
    public static ApiResult<T> Ok<T>(T value) => new(ApiOutcome.Ok, value, StatusCode: 200);
}
