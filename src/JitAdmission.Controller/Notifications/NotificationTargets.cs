namespace JitAdmission.Controller.Notifications;

/// <summary>Where an announcement goes: the notify entries of the request's policies whose event filter takes its phase.</summary>
public static class NotificationTargets
{
    /// <summary>Distinct absolute http(s) URLs, in policy order; an empty <c>events</c> list takes every phase.</summary>
    public static IReadOnlyList<Uri> For(IEnumerable<ApprovalPolicy> policies, RequestPhase phase)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var targets = new List<Uri>();
        foreach (var target in policies.SelectMany(p => p.Spec.Notify))
        {
            if (target.Events.Count > 0 && !target.Events.Contains(phase)) continue;
            // Invalid URLs are rejected at apply time; one that slipped in is skipped, not fatal.
            if (!Uri.TryCreate(target.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)) continue;
            if (!targets.Contains(uri)) targets.Add(uri);
        }

        return targets;
    }

    /// <summary>The targets of <see cref="For"/> that address the requester: some entry for that URL says <c>mentionRequester</c>.</summary>
    public static IReadOnlySet<Uri> Addressing(IEnumerable<ApprovalPolicy> policies, RequestPhase phase)
    {
        ArgumentNullException.ThrowIfNull(policies);
        var addressing = new HashSet<Uri>();
        foreach (var target in policies.SelectMany(p => p.Spec.Notify))
        {
            if (!target.MentionRequester || (target.Events.Count > 0 && !target.Events.Contains(phase))) continue;
            if (Uri.TryCreate(target.Url, UriKind.Absolute, out var uri)) addressing.Add(uri);
        }

        return addressing;
    }
}
