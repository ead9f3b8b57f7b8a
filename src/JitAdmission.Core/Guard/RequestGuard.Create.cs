using JitAdmission.Core.Text;

namespace JitAdmission.Core.Guard;

public static partial class RequestGuard
{
    /// <summary>
    /// A request created by anyone but jit-admission is an ahead-of-time request (<c>kubectl jit request</c>): for the
    /// creator only, Object or Grant scope equal to every named (existing) policy's scope, nothing pre-filled that only
    /// jit-admission or approvers may set, break-glass only for break-glass subjects of every policy.
    /// </summary>
    public static IReadOnlyList<string> ValidateCreate(
        ApprovalRequest created, UserInfo user, Func<string, ApprovalPolicy?> policy, bool isOperator, DateTimeOffset now,
        Func<string, ApprovalRequest?>? request = null)
    {
        ArgumentNullException.ThrowIfNull(created);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(policy);
        // The webhook creates requests for gated changes under the operator's identity, from admission data.
        // It never extends one: extensions are asked for by their requesters (kubectl jit extend).
        if (isOperator)
        {
            if (!string.IsNullOrEmpty(created.Spec.Extends)) return ["jit-admission does not create extensions; their requesters do (kubectl jit extend)"];
            return created.Spec.BreakGlass && created.Spec.AutoApprovals is { Count: > 0 }
                ? ["a break-glass record is never auto-approved: it is reviewed by people afterwards"]
                : [];
        }

        var errors = new List<string>();
        var spec = created.Spec;
        if (spec.Requester.Username != user.Username)
            errors.Add($"spec.requester.username must be your own username \"{user.Username}\": a request made ahead of time "
                + "is always for yourself (kubectl jit request fills it in)");
        if (!string.IsNullOrEmpty(spec.Requester.Uid) && spec.Requester.Uid != user.Uid)
            errors.Add("spec.requester.uid must be empty or your own uid");
        if (!IsSubset(spec.Requester.Groups, user.Groups))
            errors.Add("spec.requester.groups may list only your own groups: "
                + $"remove {string.Join(", ", spec.Requester.Groups.Where(g => !user.Groups.Contains(g, StringComparer.Ordinal)).Select(g => $"\"{g}\""))}");
        if (spec.Fingerprint.Length > 0)
            errors.Add("spec.fingerprint must be empty: only jit-admission sets it, for the exact change it intercepted");
        if (spec.Reviews.Count > 0)
            errors.Add("spec.reviews must be empty when the request is created; approvers add reviews afterwards with kubectl jit approve");
        if (created.Status is { } status && (status.Phase is not null || status.Uses != 0 || status.ApprovedAt is not null
                || status.ValidUntil is not null || status.ExpiresAt is not null || status.Decisions.Count > 0))
            errors.Add("status must be empty: it is written only by jit-admission");

        errors.AddRange(RequesterWrittenErrors(created, user));

        var isSet = spec.ChangeSet is not null;
        if (isSet)
        {
            var setErrors = ChangeSetErrors(created, user).ToList();
            errors.AddRange(setErrors);
            if (setErrors.Count == 0) errors.AddRange(ChangeSetFingerprintErrors(created, user));
        }
        else if (spec.Scope == ApprovalScope.Exact)
            errors.Add("scope Exact needs the fingerprint of a real change, which only the webhook has: run the change itself "
                + "to get an Exact request, or ask ahead of time with scope Object or Grant");
        if (spec.Scope == ApprovalScope.Object && (string.IsNullOrEmpty(spec.Action.Resource) || string.IsNullOrEmpty(spec.Action.Name)))
            errors.Add("scope Object needs spec.action.resource and spec.action.name: the object you want to change");
        if (!string.IsNullOrEmpty(spec.Action.Namespace) && !string.IsNullOrEmpty(created.Metadata?.NamespaceProperty)
            && spec.Action.Namespace != created.Metadata.NamespaceProperty)
            errors.Add($"spec.action.namespace \"{spec.Action.Namespace}\" must be the namespace the request is created in "
                + $"(\"{created.Metadata.NamespaceProperty}\"): create it with -n {spec.Action.Namespace}");

        if (spec.Policies.Count == 0)
        {
            errors.Add("spec.policies must name at least one ApprovalPolicy (kubectl get apol lists them)");
            return errors;
        }

        var missing = new List<string>();
        var policies = Resolve(spec.Policies, policy, missing);
        errors.AddRange(missing.Select(m => $"ApprovalPolicy \"{m}\" does not exist (kubectl get apol lists them)"));
        // A change set is Exact whatever the policies ask for: the narrowest scope, so any policy's is covered.
        foreach (var p in policies.Where(p => !isSet && p.Spec.Approval.Scope != spec.Scope))
            errors.Add($"scope must be {p.Spec.Approval.Scope}, the scope of policy \"{p.Metadata.Name}\", not {spec.Scope}");

        if (spec.ValidFor is { Length: > 0 } validFor && ApprovalExtension.RequestedValidFor(spec) is null)
            errors.Add($"spec.validFor \"{TerminalText.Escape(validFor)}\" is not a positive duration such as 30m or 1h");
        if (!string.IsNullOrEmpty(spec.Extends))
        {
            if (request is null) errors.Add("spec.extends cannot be checked here; create the extension in the cluster (kubectl jit extend)");
            else errors.AddRange(ValidateExtension(created, user, request, policy, now));
        }

        if (spec.BreakGlass)
        {
            if (string.IsNullOrWhiteSpace(spec.Reason))
                errors.Add("break-glass needs a reason in spec.reason: it is recorded and reviewed afterwards");
            var notAllowed = policies.Where(p => !EffectiveApproval.From([p]).AllowsBreakGlass(user)).Select(p => $"\"{p.Metadata.Name}\"").ToList();
            if (notAllowed.Count > 0)
                errors.Add($"break-glass is not allowed for \"{user.Username}\": policy {string.Join(", ", notAllowed)} does not "
                    + "list you or your groups under breakGlass; request a normal approval instead");
        }

        return errors;
    }

    /// <summary>
    /// What a requester may write into a request made ahead of time is what approvers will read: each field must be
    /// what it claims to be, and nothing in it may act on a terminal.
    /// </summary>
    private static IEnumerable<string> RequesterWrittenErrors(ApprovalRequest created, UserInfo user)
    {
        var spec = created.Spec;
        if (spec.Change.Length > 0)
            yield return "spec.change must be empty: jit-admission writes it, describing the exact change it intercepted";
        if (spec.Object is not null)
            yield return "spec.object must be empty: jit-admission writes it, holding the exact object its approval lets through";
        if (spec.AutoApprovals is { Count: > 0 })
            yield return "spec.autoApprovals must be empty: jit-admission records there which policy rules approved a call it intercepted";
        if (TerminalText.HasControl(spec.Reason))
            yield return "spec.reason must be one line of plain text: control characters (escape sequences, line breaks, direction overrides) are not allowed";
        var action = spec.Action;
        if (action.Operation is not ("*" or Operations.Create or Operations.Update or Operations.Delete or Operations.Connect))
            yield return $"spec.action.operation \"{TerminalText.Escape(action.Operation)}\" is not CREATE, UPDATE, DELETE, CONNECT or *";
        if (!string.IsNullOrEmpty(action.Group) && !NameRules.IsDnsSubdomain(action.Group))
            yield return $"spec.action.group \"{TerminalText.Escape(action.Group)}\" is not an API group";
        if (!string.IsNullOrEmpty(action.Version) && !NameRules.IsDnsLabel(action.Version))
            yield return $"spec.action.version \"{TerminalText.Escape(action.Version)}\" is not an API version";
        if (!string.IsNullOrEmpty(action.Resource) && !NameRules.IsDnsLabel(action.Resource))
            yield return $"spec.action.resource \"{TerminalText.Escape(action.Resource)}\" is not a resource (plural, lower case, as kubectl api-resources lists it)";
        if (!string.IsNullOrEmpty(action.SubResource) && !NameRules.IsDnsLabel(action.SubResource))
            yield return $"spec.action.subResource \"{TerminalText.Escape(action.SubResource)}\" is not a subresource";
        if (!string.IsNullOrEmpty(action.Kind) && (TerminalText.HasControl(action.Kind) || !action.Kind.All(char.IsAsciiLetterOrDigit)))
            yield return $"spec.action.kind \"{TerminalText.Escape(action.Kind)}\" is not a kind";
        if (!string.IsNullOrEmpty(action.Name) && !NameRules.IsDnsSubdomain(action.Name) && !NameRules.IsPathSegmentName(action.Name))
            yield return $"spec.action.name \"{TerminalText.Escape(action.Name)}\" is not an object name";
        foreach (var key in (created.Metadata?.Labels?.Keys ?? []).Where(IsOwnKey))
        {
            if (key == ApiConstants.RequesterLabel && created.Metadata!.Labels![key] == ApprovalRequestDraft.LabelValue(user.Username)) continue;
            yield return $"label {key} is jit-admission's (it selects requests); leave it out";
        }
    }
}
