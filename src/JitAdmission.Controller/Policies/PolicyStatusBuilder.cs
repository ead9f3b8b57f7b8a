namespace JitAdmission.Controller.Policies;

/// <summary>The status an ApprovalPolicy should have: Ready (or why not), the generation it describes, and request counts.</summary>
public static class PolicyStatusBuilder
{
    public const string Ready = "Ready";
    public const string ReasonValid = "Valid";
    public const string ReasonInvalid = "InvalidSpec";

    /// <summary>Longest condition message the CRD accepts.</summary>
    private const int MaxMessageLength = 32768;

    public static ApprovalPolicyStatus Build(
        ApprovalPolicy policy, IReadOnlyList<string> errors, int pending, int approved, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(errors);
        var current = policy.Status;
        var generation = policy.Metadata.Generation;
        var valid = errors.Count == 0;
        var message = valid
            ? $"in force ({policy.Spec.Enforcement}, scope {policy.Spec.Approval.Scope})"
            : Bound("the policy cannot be enforced as written: " + string.Join("; ", errors));
        var previous = current?.Conditions.FirstOrDefault(c => c.Type == Ready);
        var status = valid ? "True" : "False";
        var ready = new V1Condition
        {
            Type = Ready,
            Status = status,
            Reason = valid ? ReasonValid : ReasonInvalid,
            Message = message,
            ObservedGeneration = generation,
            LastTransitionTime = previous is not null && previous.Status == status && previous.LastTransitionTime is { } kept
                ? kept
                : TimeText.ToApi(now),
        };
        var conditions = (current?.Conditions ?? []).Where(c => c.Type != Ready).ToList();
        conditions.Insert(0, ready);
        return new ApprovalPolicyStatus
        {
            ObservedGeneration = generation,
            Conditions = conditions,
            PendingRequests = pending,
            ApprovedRequests = approved,
        };
    }

    /// <summary>Whether writing <paramref name="desired"/> would change what readers see (times to the second).</summary>
    public static bool Differs(ApprovalPolicyStatus? current, ApprovalPolicyStatus desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        if (current is null) return true;
        if (current.ObservedGeneration != desired.ObservedGeneration
            || current.PendingRequests != desired.PendingRequests
            || current.ApprovedRequests != desired.ApprovedRequests
            || current.Conditions.Count != desired.Conditions.Count)
            return true;
        return current.Conditions.Zip(desired.Conditions).Any(pair =>
            pair.First.Type != pair.Second.Type || pair.First.Status != pair.Second.Status || pair.First.Reason != pair.Second.Reason
            || pair.First.Message != pair.Second.Message || pair.First.ObservedGeneration != pair.Second.ObservedGeneration
            || Seconds(pair.First.LastTransitionTime) != Seconds(pair.Second.LastTransitionTime));
    }

    /// <summary>True when the policy just became invalid, or its errors changed (worth a Warning Event).</summary>
    public static bool NewlyInvalid(ApprovalPolicyStatus? current, ApprovalPolicyStatus desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var now = desired.Conditions.First(c => c.Type == Ready);
        if (now.Status != "False") return false;
        var before = current?.Conditions.FirstOrDefault(c => c.Type == Ready);
        return before is null || before.Status != "False" || before.Message != now.Message;
    }

    private static DateTime? Seconds(DateTime? time) => time is { } t ? TimeText.ToApi(TimeText.FromApi(t)) : null;

    private static string Bound(string message) =>
        message.Length <= MaxMessageLength ? message : message[..(MaxMessageLength - 3)] + "...";
}
