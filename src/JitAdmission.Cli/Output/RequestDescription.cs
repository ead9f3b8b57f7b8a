using System.Text;
using JitAdmission.Core.Changes;
using JitAdmission.Core.Messages;

namespace JitAdmission.Cli.Output;

/// <summary>
/// <c>kubectl jit describe</c>: everything an approver needs to decide, in the order they need it — what is asked, by
/// whom and why, the change itself (jit-admission's record and, when given, what the approval lets through against the
/// live object), who still has to approve, what was decided, and the command to approve. Everything a requester or
/// another user wrote is shown as theirs and with control characters escaped. A change set has no record of its own
/// (<c>spec.change</c> is empty): its change is <see cref="ChangeSetSummary"/> of the objects, then each object against
/// the live one.
/// </summary>
internal static class RequestDescription
{
    private const int LabelWidth = 14;

    /// <param name="extendedBy">The requests that extend this one (<c>spec.extends</c>), when known.</param>
    /// <param name="setObjects">For a change set: each object against the live one (<see cref="ChangeSetComparison"/>).</param>
    public static string Render(
        RequestView view, DateTimeOffset now, LiveComparison? live = null, IReadOnlyList<string>? extendedBy = null,
        IReadOnlyList<LiveComparison>? setObjects = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        var request = view.Request;
        var spec = request.Spec;
        var text = new StringBuilder();

        Field(text, "Name", view.Fetched.Name);
        Field(text, "Namespace", view.Fetched.Namespace);
        Field(text, "Phase", view.DisplayPhase + (view.Source == ViewSource.Unknown ? " (not evaluated yet)" : ""));
        if (view.Message.Length > 0) Field(text, "Status", view.Message);
        Field(text, "Action", view.Action);
        var set = spec.ChangeSet;
        Field(text, "Target", set is null ? Target(spec.Action) : SetTarget(set, view.Fetched.Namespace));
        Field(text, "Scope", set is null ? ScopeText(spec.Scope) : "Exact (each object below, exactly as shown, once)");
        Field(text, "Requester", spec.Requester.Username + (string.IsNullOrEmpty(spec.Requester.Uid) ? "" : $" (uid {spec.Requester.Uid})"));
        Field(text, "  Groups", spec.Requester.Groups.Count > 0 ? string.Join(", ", spec.Requester.Groups) : "(none recorded)");
        Field(text, "Reason", spec.Reason.Length > 0 ? $"\"{spec.Reason}\" (written by {spec.Requester.Username})" : "(none given)");
        Field(text, "Policies", string.Join(", ", spec.Policies) + Missing(view));
        if (!string.IsNullOrEmpty(spec.Extends)) Field(text, "Extends", spec.Extends);
        if (extendedBy is { Count: > 0 }) Field(text, "Extended by", string.Join(", ", extendedBy));
        if (spec.BreakGlass) Field(text, "Break-glass", "yes: the change proceeded at once; " + BreakGlassText(view.BreakGlassReview));
        if (view.Created is { } created) Field(text, "Created", RelativeTime.Both(created, now));
        if (view.ExpiresAt is { } expires && view.ApprovedAt is null && !spec.BreakGlass) Field(text, "Expires", RelativeTime.Both(expires, now));
        if (view.ApprovedAt is { } approved) Field(text, spec.BreakGlass ? "Started" : "Approved", RelativeTime.Both(approved, now));
        if (view.ValidUntil is { } until) Field(text, "Valid until", RelativeTime.Both(until, now));
        if (view.ApprovedAt is not null || view.Uses > 0)
            Field(text, "Uses", view.MaxUses > 0 ? $"{view.Uses}/{view.MaxUses}" : $"{view.Uses} (unlimited within the window)");

        text.Append("\nChange:\n");
        // A set's summary is computed here from its objects, what the approval lets through.
        Indented(text, set is not null ? ChangeSetSummary.Describe(set.Objects) : spec.Change.Length > 0 ? spec.Change : ChangeFallback(spec));
        if (live is not null)
        {
            text.Append('\n');
            if (live.Diff is { } diff)
            {
                text.Append(live.Title).Append(":\n");
                Indented(text, diff);
            }
            else
            {
                text.Append(live.Title).Append(": ").Append(Safe(live.Unavailable ?? "").ReplaceLineEndings(" ")).Append('\n');
            }
        }

        if (setObjects is not null) SetObjects(text, setObjects);

        text.Append($"\nRequirements (approvals {view.Approvals}):\n");
        Indented(text, Requirements(view));

        text.Append("\nDecisions:\n");
        Indented(text, Decisions(view));

        if (view.Usage.Count > 0)
        {
            text.Append("\nUsage:\n");
            Indented(text, string.Join('\n', view.Usage.Select(u =>
                $"{TimeText.Absolute(TimeText.FromApi(u.Time))}  {u.Operation} by {u.By}" + (u.AdmissionUid.Length > 0 ? $" (admission {u.AdmissionUid})" : ""))));
        }

        var notes = Notes(view).ToList();
        if (notes.Count > 0) text.Append('\n');
        foreach (var note in notes) text.Append("Note: ").Append(note).Append('\n');

        if (ReviewEligibility.AwaitsReviews(view))
        {
            var name = view.Fetched.Name;
            var ns = view.Fetched.Namespace;
            text.Append('\n');
            Field(text, "To approve", AdmissionMessages.ApproveCommand(name, ns) + " [-m COMMENT]");
            Field(text, "To deny", $"kubectl jit deny {name} -n {ns} -m REASON");
        }

        return text.ToString();
    }

    public static string ScopeText(ApprovalScope scope) => scope switch
    {
        ApprovalScope.Exact => "Exact (this exact change only)",
        ApprovalScope.Object => "Object (any change to this object by the requester, within the validity window)",
        _ => "Grant (any action the policies gate, by the requester, within the validity window)",
    };

    private static string Target(RequestedAction action)
    {
        var gv = action.Group.Length > 0 ? $"{action.Group}/{action.Version}" : action.Version;
        var resource = string.IsNullOrEmpty(action.SubResource) ? action.Resource : $"{action.Resource}/{action.SubResource}";
        var parts = new List<string>();
        if (resource.Length > 0) parts.Add(gv.Length > 0 ? $"{resource} ({gv}{(string.IsNullOrEmpty(action.Kind) ? "" : " " + action.Kind)})" : resource);
        if (!string.IsNullOrEmpty(action.Name)) parts.Add($"name {action.Name}");
        parts.Add(string.IsNullOrEmpty(action.Namespace) ? "any namespace" : $"namespace {action.Namespace}");
        parts.Add("operation " + (action.Operation is "" or "*" ? "any" : action.Operation));
        return string.Join(", ", parts);
    }

    private static string SetTarget(ChangeSet set, string ns) =>
        $"{set.Objects.Count} object{(set.Objects.Count == 1 ? "" : "s")} in namespace {ns} (each below)";

    /// <summary>"[2/3] against the live object (read with your credentials):" then the diff, for every object.</summary>
    private static void SetObjects(StringBuilder text, IReadOnlyList<LiveComparison> objects)
    {
        text.Append("\nObjects (what the approval lets through, each against the live object read with your credentials):\n");
        foreach (var o in objects)
        {
            var title = o.Title + (o.Unavailable is { } why ? (o.Title.EndsWith(']') ? " " : ": ") + why : "") + (o.Diff is null ? "" : ":");
            text.Append("  ").Append(Safe(title.ReplaceLineEndings(" "))).Append('\n');
            if (o.Diff is { } diff) Indented(text, diff, "    ");
        }
    }

    private static string Missing(RequestView view) =>
        view.Evaluation is { MissingPolicies.Count: > 0 } e ? $" (missing: {string.Join(", ", e.MissingPolicies)})" : "";

    private static string BreakGlassText(BreakGlassReview review) => review switch
    {
        BreakGlassReview.Approved => "reviewed and approved afterwards",
        BreakGlassReview.Rejected => "the review afterwards rejected it",
        _ => "awaiting review by approvers",
    };

    private static string ChangeFallback(ApprovalRequestSpec spec) =>
        spec.Fingerprint.Length == 0
            ? "(requested ahead of time: no specific change; the scope above says what the approval covers)"
            : "(no summary recorded)";

    private static string Requirements(RequestView view)
    {
        if (view.Requirements.Count == 0)
            return view.Evaluation is { Effective.Problems.Count: > 0 } e ? string.Join('\n', e.Effective.Problems) : "(unknown: not evaluated yet)";
        var entries = view.Evaluation?.Effective.Entries ?? [];
        var table = new TextTable(["APPROVERS", "HAVE/NEED", "APPROVED BY", "WHO CAN APPROVE"]);
        foreach (var r in view.Requirements)
        {
            var entry = entries.FirstOrDefault(e => e.Name == r.Name);
            var who = entry is null ? "-" : ApproverText.Who(entry);
            table.Add([r.Name, $"{r.Have}/{r.Need}" + (r.Satisfied ? " ok" : ""), r.ApprovedByRule is { } rule ? "rule " + Safe(rule) : r.ApprovedBy.Count > 0 ? string.Join(", ", r.ApprovedBy) : "-", who]);
        }

        return table.ToString().TrimEnd('\n');
    }

    private static string Decisions(RequestView view)
    {
        if (view.Decisions.Count == 0) return "(no reviews yet)";
        var table = new TextTable(["TIME", "REVIEWER", "DECISION", "COMMENT", "COUNTED"]);
        foreach (var d in view.Decisions)
        {
            var time = d.Time is { } t ? TimeText.Absolute(TimeText.FromApi(t)) : "-";
            var counted = d.IgnoredReason is { Length: > 0 } why ? $"no: {why}" : view.DecisionsEvaluated ? "yes" : "?";
            table.Add([time, d.Reviewer, d.Decision.ToString(), d.Comment ?? "", counted]);
        }

        return table.ToString().TrimEnd('\n');
    }

    private static IEnumerable<string> Notes(RequestView view)
    {
        switch (view.Source)
        {
            case ViewSource.Evaluated when view.Request.Status?.Phase is null:
                yield return "jit-admission has not written a status yet; phase and progress were computed by kubectl jit from the live policies.";
                break;
            case ViewSource.Evaluated:
                yield return "the status predates the latest reviews; phase and progress were computed by kubectl jit from the live policies.";
                break;
            case ViewSource.StaleStatus:
                yield return "the status predates the latest reviews and the ApprovalPolicies cannot be read; it is shown as jit-admission last wrote it.";
                break;
        }

        var unstamped = view.Request.Spec.Reviews.Where(r => r.Groups is null && r.Time is null).Select(r => r.Reviewer).ToList();
        if (unstamped.Count > 0)
            yield return $"the review(s) by {string.Join(", ", unstamped)} carry no stamped groups or time: jit-admission's mutating webhook "
                + "did not run when they were added, so a review that counts through a group does not count.";
    }

    private static void Field(StringBuilder text, string label, string value) =>
        text.Append((label + ":").PadRight(LabelWidth)).Append(Safe(value.ReplaceLineEndings(" "))).Append('\n');

    private static void Indented(StringBuilder text, string block, string indent = "  ")
    {
        foreach (var line in Safe(block.ReplaceLineEndings("\n").TrimEnd('\n')).Split('\n')) text.Append(indent).Append(line).Append('\n');
    }

    private static string Safe(string text) => TerminalText.Escape(text, multiline: true);
}
