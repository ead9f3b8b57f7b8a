using System.Text;
using JitAdmission.Core.Changes;

namespace JitAdmission.Controller.Notifications;

/// <summary>
/// A change set in an announcement. Its <c>spec.change</c> is empty: what people read is
/// <see cref="ChangeSetSummary"/>, computed from the objects the approval lets through (never from text the requester
/// wrote), and receivers that automate get the objects as structured fields.
/// </summary>
public static partial class NotificationPayload
{
    /// <summary>Smaller than describe's: a chat message is read at a glance, <c>kubectl jit describe</c> shows every object.</summary>
    public const int ChangeSetSummaryChars = 2000;

    private static string Where(string? ns) => string.IsNullOrEmpty(ns) ? "" : $" in {ns}";

    /// <summary>"apply 3 objects in shop" (every object of a set is in the request's namespace).</summary>
    private static string SetAction(ChangeSet set, string? ns) =>
        $"apply {set.Objects.Count} object{(set.Objects.Count == 1 ? "" : "s")}{Where(ns)}";

    private static void AppendChangeSet(StringBuilder text, ChangeSet? set)
    {
        if (set is not null) text.Append('\n').Append(ChangeSetSummary.Describe(set.Objects, ChangeSetSummaryChars));
    }

    private sealed record ChangeSetInfo(int Count, IReadOnlyList<ChangeSetItem> Objects)
    {
        // The CRD bounds the list (50 objects) and every field's length.
        public static ChangeSetInfo? Of(ChangeSet? set) => set is null
            ? null
            : new(set.Objects.Count, [.. set.Objects.Select(o => new ChangeSetItem(o.Operation, o.Group, o.Version, o.Resource, ChangeSetSummary.KindOf(o), o.Namespace, o.Name))]);
    }

    private sealed record ChangeSetItem(string Operation, string Group, string Version, string Resource, string Kind, string? Namespace, string Name);
}
