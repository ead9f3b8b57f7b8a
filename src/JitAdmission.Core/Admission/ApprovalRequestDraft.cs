using JitAdmission.Core.Changes;

namespace JitAdmission.Core.Admission;

/// <summary>
/// The ApprovalRequest the gate creates for a gated change, and what it reads from the change's object for it (the
/// requester's reason, a break-glass annotation).
/// </summary>
public static class ApprovalRequestDraft
{
    /// <summary>Label values are at most 63 characters.</summary>
    private const int MaxLabelValue = 63;

    /// <summary>Requester groups as the CRD bounds them.</summary>
    private const int MaxGroups = 256;

    /// <summary>
    /// The ApprovalRequest for a gated change: everything from the admission request (requester from userInfo, never
    /// from the object), the scope the policies ask for, the reason annotation and a bounded summary for approvers.
    /// </summary>
    public static ApprovalRequest For(AdmissionAttributes request, AdmissionGate gate, string name, bool breakGlass, string reason)
    {
        var user = request.UserInfo;
        // Object scope needs the object's name; a generateName create is approved as that exact change instead.
        var scope = gate.Effective.Scope == ApprovalScope.Object && request.Name.Length == 0 ? ApprovalScope.Exact : gate.Effective.Scope;
        return new ApprovalRequest
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = gate.RequestNamespace, Labels = Labels(gate, user) },
            Spec = new ApprovalRequestSpec
            {
                Policies = [.. gate.PolicyNames],
                Requester = RequesterOf(user),
                Action = new RequestedAction
                {
                    Operation = request.Operation,
                    Group = request.Resource.Group,
                    Version = request.Resource.Version,
                    Resource = request.Resource.Resource,
                    SubResource = NullIfEmpty(request.SubResource),
                    Kind = NullIfEmpty(request.Kind?.Kind),
                    Namespace = NullIfEmpty(request.Namespace),
                    Name = NullIfEmpty(request.Name),
                },
                Fingerprint = gate.Fingerprint,
                Scope = scope,
                Reason = reason,
                Change = Change(request, out var proposed),
                Object = proposed,
                BreakGlass = breakGlass,
            },
        };
    }

    /// <summary>
    /// The change set of a Helm release revision (docs/semantics.md "Helm releases"), asked for when Helm writes the
    /// release record: the requester from the record's userInfo, the revision's gated objects, named by their digest.
    /// </summary>
    public static ApprovalRequest ForHelmRelease(AdmissionAttributes record, Changes.HelmRelease release, AdmissionGate gate, List<ChangeSetObject> gated, string name) =>
        new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = gate.RequestNamespace, Labels = Labels(gate, record.UserInfo) },
            Spec = new ApprovalRequestSpec
            {
                Policies = [.. gate.PolicyNames],
                Requester = RequesterOf(record.UserInfo),
                Action = new RequestedAction { Operation = "*", Namespace = release.Namespace },
                Fingerprint = gate.Fingerprint,
                Scope = ApprovalScope.Exact,
                ChangeSet = new ChangeSet
                {
                    Helm = new HelmReleaseRef { Release = release.Name, Namespace = release.Namespace, Revision = release.Revision },
                    Objects = gated,
                },
            },
        };

    /// <summary>The requester as the admission request's userInfo says, groups bounded as the CRD bounds them.</summary>
    private static Requester RequesterOf(UserInfo user) => new()
    {
        Username = user.Username,
        Uid = string.IsNullOrEmpty(user.Uid) ? null : user.Uid,
        Groups = [.. user.Groups.Take(MaxGroups)],
    };

    /// <summary>Selectable labels: the fingerprint (prefix), the requester and one per policy.</summary>
    private static Dictionary<string, string> Labels(AdmissionGate gate, UserInfo user)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ApiConstants.FingerprintLabel] = gate.Fingerprint.Length > MaxLabelValue ? gate.Fingerprint[..MaxLabelValue] : gate.Fingerprint,
        };
        if (LabelValue(user.Username) is { Length: > 0 } requester) labels[ApiConstants.RequesterLabel] = requester;
        foreach (var policy in gate.PolicyNames)
            if (NameRules.IsQualifiedName(policy)) labels[ApiConstants.PolicyLabelPrefix + policy] = "true";
        return labels;
    }

    /// <summary>A username as a label value: characters a label cannot hold become '_' ("system:serviceaccount:ns:sa" →
    /// "system_serviceaccount_ns_sa"), at most 63, alphanumeric at both ends. Lossy, so only for selecting.</summary>
    public static string LabelValue(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxLabelValue));
        foreach (var c in text)
        {
            if (builder.Length == MaxLabelValue) break;
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '_');
        }

        return builder.ToString().Trim('-', '.', '_');
    }

    private static string Change(AdmissionAttributes request, out System.Text.Json.JsonElement? proposed)
    {
        try
        {
            proposed = ProposedObject.Of(request);
            var summary = ChangeSummary.Describe(request);
            return proposed is null && request.Operation != Operations.Delete && request.Object.Element is not null
                ? summary + $"\n(the object is over {ProposedObject.MaxBytes / 1024} KiB: it is not kept in the request; its fingerprint binds the approval to it)"
                : summary;
        }
        catch (JsonException)
        {
            // The fingerprint read the object already; should the summary still fail, approvers get the header.
            proposed = null;
            return $"{request.Operation} {request.ResourceWithSubresource} {RequestScope.DisplayTarget(request, request.Name)} by {request.UserInfo.Username}";
        }
    }

    /// <summary>The requester's reason: the <c>jitadmission.io/reason</c> annotation of the new object, bounded.</summary>
    internal static string ReasonOf(AdmissionAttributes request) =>
        Annotation(request, ApiConstants.ReasonAnnotation) is { } reason ? Bounded(reason, ApiLimits.MaxReasonLength) : "";

    /// <summary>The break-glass annotation on the new object (CREATE and UPDATE only); null when absent.</summary>
    internal static string? BreakGlassReason(AdmissionAttributes request) =>
        request.Operation is Operations.Create or Operations.Update ? Annotation(request, ApiConstants.BreakGlassAnnotation) : null;

    private static string? Annotation(AdmissionAttributes request, string key)
    {
        if (request.Operation == Operations.Connect) return null;
        return request.Object.Element is { ValueKind: JsonValueKind.Object } root
            && root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object
            && annotations.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
    }

    internal static string Bounded(string text, int max)
    {
        // The requester wrote it and approvers read it: nothing in it may act on their terminal.
        var trimmed = Text.TerminalText.Escape(text.Trim());
        return trimmed.Length <= max ? trimmed : string.Concat(trimmed.AsSpan(0, max - 1), "…");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
