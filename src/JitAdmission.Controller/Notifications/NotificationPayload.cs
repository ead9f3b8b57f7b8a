using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using JitAdmission.Core.Messages;

namespace JitAdmission.Controller.Notifications;

/// <summary>
/// The JSON POSTed for an announcement: Slack-compatible (<c>{"text": …}</c>, which Slack, Mattermost, Rocket.Chat and
/// most chat webhooks show as the message) plus structured fields for receivers that automate.
/// </summary>
public static partial class NotificationPayload
{
    /// <param name="now">When it is sent, for relative times ("expires in 9m"); without it, absolute times only.</param>
    /// <param name="requesterHandle">The requester's chat handle (see <see cref="RequesterHandles"/>), for a route that
    /// addresses them: the message starts with it.</param>
    public static string Build(
        ApprovalRequest request, ApprovalEvaluation evaluation, string announcement, DateTimeOffset? now = null, string? requesterHandle = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(evaluation);
        var name = request.Metadata.Name;
        var ns = request.Metadata.NamespaceProperty ?? "";
        var approve = AdmissionMessages.ApproveCommand(name, ns);
        var body = new Body(
            Addressed(Text(request, evaluation, announcement, approve, now), requesterHandle),
            announcement,
            new RequestInfo(
                name,
                ns,
                request.Metadata.Uid,
                evaluation.Phase.ToString(),
                evaluation.Action,
                request.Spec.Action.Namespace,
                request.Spec.Requester.Username,
                request.Spec.Reason.Length > 0 ? request.Spec.Reason : null,
                [.. request.Spec.Policies],
                evaluation.Progress,
                evaluation.RequirementsText,
                TimeText.Absolute(evaluation.ExpiresAt),
                evaluation.ValidUntil is { } until ? TimeText.Absolute(until) : null,
                evaluation.StatusMessage,
                requesterHandle)
            {
                ApprovedByRules = evaluation.Requirements.Select(r => r.ApprovedByRule).OfType<string>().Distinct(StringComparer.Ordinal).ToList() is { Count: > 0 } rules ? rules : null,
                ChangeSet = ChangeSetInfo.Of(request.Spec.ChangeSet),
            },
            approve);
        return JsonSerializer.Serialize(body, PayloadJson.Default.Body);
    }

    /// <summary>The message people read. Slack treats &amp;, &lt; and &gt; as markup (&lt;!channel&gt; pings everyone), so they are escaped.</summary>
    public static string Text(ApprovalRequest request, ApprovalEvaluation evaluation, string announcement, string approveCommand, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(evaluation);
        var spec = request.Spec;
        var set = spec.ChangeSet;
        var what = set is null ? $"{evaluation.Action}{Where(spec.Action.Namespace)}" : SetAction(set, request.Metadata.NamespaceProperty);
        var id = $"ApprovalRequest {request.Metadata.NamespaceProperty}/{request.Metadata.Name}";
        var who = spec.Requester.Username;
        var text = new StringBuilder();
        switch (announcement)
        {
            case ApprovalAnnouncements.Pending:
                text.Append($"Approval needed: {who} wants to {what} ({id})");
                AppendReason(text, spec);
                AppendChangeSet(text, set);
                text.Append($"\nApprovals {evaluation.Progress}: {evaluation.RequirementsText}; expires {TimeText.Absolute(evaluation.ExpiresAt)}");
                text.Append($"\nApprove: `{approveCommand}`");
                break;
            case ApprovalAnnouncements.BreakGlass:
                text.Append($"Break-glass: {who} used break-glass to {what} ({id})");
                AppendReason(text, spec);
                AppendChangeSet(text, set);
                text.Append($"\nReview needed ({evaluation.RequirementsText}): `{approveCommand}`");
                break;
            case ApprovalExpiry.Expiring:
                text.Append($"Expiring: {what} by {who} ({id})\n{ApprovalExpiry.Describe(evaluation, now)}");
                AppendChangeSet(text, set);
                if (evaluation.Phase == RequestPhase.Pending) text.Append($"\nApprove: `{approveCommand}`");
                break;
            default:
                text.Append($"{Headline(announcement)}: {what} by {who} ({id})\n{evaluation.MessageFor(announcement)}");
                AppendChangeSet(text, set);
                break;
        }

        return Escape(text.ToString());
    }

    /// <summary>
    /// The message with the handle in front. Added after escaping: the handle is a checked mention from admins' data
    /// (a Slack "&lt;@U…&gt;" must stay markup to notify), while everything else in the text stays escaped.
    /// </summary>
    private static string Addressed(string text, string? handle) =>
        handle is not null && RequesterHandles.IsSafe(handle) ? $"{handle} {text}" : text;

    private static string Headline(string announcement) => announcement switch
    {
        ApprovalAnnouncements.Consumed => "Used",
        ApprovalAnnouncements.Reviewed => "Break-glass reviewed",
        ApprovalAnnouncements.ReviewRejected => "Break-glass review rejected",
        _ => announcement,
    };

    private static void AppendReason(StringBuilder text, ApprovalRequestSpec spec)
    {
        if (spec.Reason.Length > 0) text.Append($"\nReason: {spec.Reason}");
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);

    // Compile-time metadata: a Native AOT build cannot serialize by reflection.
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonSerializable(typeof(Body))]
    private sealed partial class PayloadJson : JsonSerializerContext;

    private sealed record Body(string Text, string Event, RequestInfo Request, string ApproveCommand);

    private sealed record RequestInfo(
        string Name, string Namespace, string? Uid, string Phase, string Action, string? TargetNamespace, string Requester,
        string? Reason, IReadOnlyList<string> Policies, string Approvals, string Requirements, string ExpiresAt,
        string? ValidUntil, string Message, string? RequesterHandle)
    {
        /// <summary>The auto-approval rules ("policy/rule") that satisfied entries; absent when people did it all.</summary>
        public IReadOnlyList<string>? ApprovedByRules { get; init; }

        /// <summary>For a change set: its objects; absent for one change.</summary>
        public ChangeSetInfo? ChangeSet { get; init; }
    }
}
