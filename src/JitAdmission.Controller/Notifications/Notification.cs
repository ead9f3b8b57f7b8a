namespace JitAdmission.Controller.Notifications;

/// <summary>
/// One announcement about one request, rendered once, to be POSTed to each target; the targets in
/// <see cref="Addressed"/> get <see cref="AddressedBody"/>, the same message addressed to the requester.
/// </summary>
public sealed record Notification(
    string RequestUid, string RequestKey, string Announcement, IReadOnlyList<Uri> Targets, string Body,
    IReadOnlySet<Uri>? Addressed = null, string? AddressedBody = null)
{
    public string BodyFor(Uri target) =>
        AddressedBody is not null && Addressed is not null && Addressed.Contains(target) ? AddressedBody : Body;
}
