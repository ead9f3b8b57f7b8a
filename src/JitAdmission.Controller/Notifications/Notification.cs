namespace JitAdmission.Controller.Notifications;

/// <summary>One announcement about one request, rendered once, to be POSTed to each target.</summary>
public sealed record Notification(string RequestUid, string RequestKey, string Announcement, IReadOnlyList<Uri> Targets, string Body);
