namespace JitAdmission.Core.Admission;

/// <summary>The Pending requests among a requester's (for the cap on how many one may have at once).</summary>
public static class PendingRequests
{
    /// <summary>
    /// Requests not finished, not approved and not break-glass, whose recorded expiry (if any) is still ahead: a cheap
    /// reading of the status the controller keeps, with no evaluation per request.
    /// </summary>
    public static IReadOnlyList<ApprovalRequest> Of(IEnumerable<ApprovalRequest> requests, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var pending = new List<ApprovalRequest>();
        foreach (var request in requests)
        {
            if (request.Spec.BreakGlass) continue;
            if (request.Status?.Phase is { } phase && phase != RequestPhase.Pending) continue;
            if (TimeText.FromApi(request.Status?.ExpiresAt) is { } expires && expires <= now) continue;
            pending.Add(request);
        }

        return pending;
    }
}
