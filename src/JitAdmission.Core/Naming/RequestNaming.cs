namespace JitAdmission.Core.Naming;

/// <summary>What to do with the ApprovalRequest slot for a fingerprint.</summary>
public enum RequestSlotKind
{
    /// <summary>No request holds this name yet: create it.</summary>
    Create,
    /// <summary>A Pending (hold it again) or usable request exists under this name: use it.</summary>
    Reuse,
    /// <summary>A request for this change was denied and its TTL has not passed: answer with that denial.</summary>
    Denied,
}

public sealed record RequestSlot(RequestSlotKind Kind, string Name, int Attempt, ApprovalRequest? Existing, ApprovalEvaluation? Evaluation);

/// <summary>
/// Deterministic ApprovalRequest names, so that replicas and retries of the same change converge on one request:
/// <c>&lt;resource&gt;-&lt;name&gt;-&lt;fp10&gt;</c>, then <c>-2</c>, <c>-3</c>… once earlier requests are finished.
/// </summary>
public static class RequestNaming
{
    public const int MaxLength = 63;
    public const int FingerprintChars = 10;

    /// <summary>The name for an admission request: its resource (with subresource) and object name.</summary>
    public static string Name(AdmissionAttributes request, string fingerprint, int attempt = 1)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Name(request.ResourceWithSubresource, request.Name, fingerprint, attempt);
    }

    /// <summary>A DNS-1123 label of at most 63 characters that always ends in the fingerprint prefix (and attempt).</summary>
    public static string Name(string resource, string objectName, string fingerprint, int attempt = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var hash = Sanitize(fingerprint.Length > FingerprintChars ? fingerprint[..FingerprintChars] : fingerprint);
        var suffix = (hash.Length > 0 ? hash : "0") + (attempt > 1 ? $"-{attempt}" : "");
        var prefix = Sanitize($"{resource}-{objectName}");
        var room = MaxLength - suffix.Length - 1;
        if (prefix.Length > room) prefix = prefix[..room].TrimEnd('-');
        return prefix.Length == 0 ? suffix : $"{prefix}-{suffix}";
    }

    /// <summary>Lower case, anything outside [a-z0-9-] becomes '-', runs of '-' collapse, no '-' at either end.</summary>
    public static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var raw in text)
        {
            var c = char.ToLowerInvariant(raw);
            var ok = c is >= 'a' and <= 'z' or >= '0' and <= '9';
            if (ok) builder.Append(c);
            else if (builder.Length > 0 && builder[^1] != '-') builder.Append('-');
        }

        return builder.ToString().TrimEnd('-');
    }

    /// <summary>
    /// Walks attempts 1, 2, … over the existing requests: a name held by a request for another fingerprint or another
    /// requester (a prefix collision, or a request someone created under that name ahead of time to squat it) or by a
    /// finished one (Consumed, Expired, Denied past its TTL, used-up break-glass) moves on, never to be retried; a
    /// Pending or usable one is reused; a Denied one within its TTL is the answer; a free name is created.
    /// <paramref name="holderOf"/> says who holds a name in the request's namespace (the cache), beyond
    /// <paramref name="existing"/> (the requests for this fingerprint).
    /// </summary>
    public static RequestSlot Choose(
        AdmissionAttributes request, string fingerprint, IEnumerable<ApprovalRequest> existing,
        Func<ApprovalRequest, ApprovalEvaluation> evaluate, DateTimeOffset now, Func<string, ApprovalRequest?>? holderOf = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Choose(request.ResourceWithSubresource, request.Name, fingerprint, request.UserInfo.Username, existing, evaluate, now, holderOf);
    }

    public static RequestSlot Choose(
        string resource, string objectName, string fingerprint, string requester, IEnumerable<ApprovalRequest> existing,
        Func<ApprovalRequest, ApprovalEvaluation> evaluate, DateTimeOffset now, Func<string, ApprovalRequest?>? holderOf = null)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(evaluate);
        var byName = new Dictionary<string, ApprovalRequest>(StringComparer.Ordinal);
        foreach (var request in existing)
            if (request.Metadata?.Name is { Length: > 0 } name) byName.TryAdd(name, request);

        // Each step past attempt 1 passes one existing request (the cache holds finitely many), so this ends; the bound
        // only keeps a cache full of squatters from costing more than a bounded scan.
        for (var attempt = 1; ; attempt++)
        {
            var name = Name(resource, objectName, fingerprint, attempt);
            var holder = byName.GetValueOrDefault(name) ?? holderOf?.Invoke(name);
            if (holder is null || attempt == MaxAttempts) return new RequestSlot(RequestSlotKind.Create, name, attempt, null, null);
            if (holder.Spec.Fingerprint != fingerprint || holder.Spec.Requester.Username != requester) continue;
            var evaluation = evaluate(holder);
            if (evaluation.Phase == RequestPhase.Pending || evaluation.IsUsable)
                return new RequestSlot(RequestSlotKind.Reuse, name, attempt, holder, evaluation);
            if (evaluation.Phase == RequestPhase.Denied && now < evaluation.ExpiresAt)
                return new RequestSlot(RequestSlotKind.Denied, name, attempt, holder, evaluation);
        }
    }

    /// <summary>Attempts tried at most: past it the name is tried anyway (a create that fails closed, rather than an endless scan).</summary>
    public const int MaxAttempts = 1000;
}
