using System.Net;
using JitAdmission.Core.Changes;
using JitAdmission.Core.Matching;

namespace JitAdmission.Cli.Model;

/// <summary>
/// What the approval lets through (<c>spec.object</c>) against the object as it is now, read with the caller's own
/// credentials: <c>kubectl jit describe</c> shows it besides jit-admission's record (<c>spec.change</c>). Either
/// <see cref="Diff"/> (from <see cref="ChangeSummary.Compare"/>: bounded, Secret values hidden, control characters
/// escaped) or <see cref="Unavailable"/>, why not.
/// </summary>
internal sealed record LiveComparison(string Title, string? Diff, string? Unavailable)
{
    public static async Task<LiveComparison?> ReadAsync(ClusterSession session, ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(request);
        var spec = request.Spec;
        var action = spec.Action;
        // Ahead of time: no specific change to compare. A change set is compared object by object (ChangeSetComparison).
        if (action.Operation is "" or Operations.All || spec.ChangeSet is not null) return null;

        var header = Header(action);
        var isSecret = action.Group.Length == 0 && action.Resource == "secrets" && string.IsNullOrEmpty(action.SubResource);
        var keepStatus = action.SubResource == "status";
        switch (action.Operation)
        {
            case Operations.Connect:
                return spec.Object is { } options
                    ? new LiveComparison("What the approval lets through (the CONNECT options)", ChangeSummary.Compare(header, null, options, false), null)
                    : NotRecorded("the CONNECT options");
            case Operations.Create:
                return spec.Object is { } created
                    ? new LiveComparison("What the approval lets through (a new object: there is no live one to compare)", ChangeSummary.Compare(header, null, created, isSecret, keepStatus), null)
                    : NotRecorded("the new object");
            case Operations.Update when spec.Object is null:
                return NotRecorded("the object as it will be");
        }

        const string Title = "Against the live object (read with your credentials)";
        JsonElement live;
        try
        {
            if (string.IsNullOrEmpty(action.Name)) throw new CliException("the request names no object");
            live = await ReadLiveAsync(session, action.Group, action.Version, action.Resource, action.SubResource, action.Namespace, action.Name, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new LiveComparison(Title, null, await WhyNotAsync(session, e, cancellationToken) + "; the change above is jit-admission's record of it");
        }

        return action.Operation == Operations.Delete
            ? new LiveComparison("What the approval lets go (the live object, read with your credentials)", ChangeSummary.Compare(header, live, null, isSecret, keepStatus), null)
            : new LiveComparison(Title, ChangeSummary.Compare(header, live, spec.Object, isSecret, keepStatus), null);
    }

    private static LiveComparison NotRecorded(string what) =>
        new("What the approval lets through", null, $"{what} is not recorded (spec.object is absent: over 64 KiB, or written by an older jit-admission); "
            + "the change above is jit-admission's record of it");

    /// <summary>"UPDATE apps/v1 deployments prod/web", from the request's action (what the approval admits).</summary>
    private static string Header(RequestedAction action)
    {
        var gv = action.Group.Length > 0 ? $"{action.Group}/{action.Version}" : action.Version;
        var resource = string.IsNullOrEmpty(action.SubResource) ? action.Resource : $"{action.Resource}/{action.SubResource}";
        var target = string.IsNullOrEmpty(action.Namespace) ? action.Name ?? "" : $"{action.Namespace}/{action.Name}";
        return $"{action.Operation} {gv} {resource} {target}";
    }

    /// <summary>The object as it is now, read with the caller's own credentials.</summary>
    internal static async Task<JsonElement> ReadLiveAsync(
        ClusterSession session, string group, string version, string resourceName, string? subResource, string? ns, string name, CancellationToken cancellationToken)
    {
        var resource = await session.ResourceAsync(group, version, resourceName, cancellationToken)
            ?? throw new CliException($"the API server does not serve {resourceName} in {(group.Length == 0 ? version : $"{group}/{version}")}");
        var path = resource.Path(ns, name) + (string.IsNullOrEmpty(subResource) ? "" : "/" + subResource);
        var response = await session.Client.SendAsync(HttpMethod.Get, path, null, null, cancellationToken);
        using var document = JsonDocument.Parse(response.Body);
        return document.RootElement.Clone();
    }

    /// <summary>Why the live object could not be read: "cannot compare with the live object: …", with advice on permissions.</summary>
    internal static async Task<string> WhyNotAsync(ClusterSession session, Exception e, CancellationToken cancellationToken)
    {
        var user = ApiErrors.Read(e)?.IsPermissionDenied == true ? await session.UsernameForAdviceAsync(cancellationToken) : session.KnownUsername;
        return WhyNot(e, user);
    }

    private static string WhyNot(Exception e, string? user)
    {
        var failure = ApiErrors.Read(e);
        return failure switch
        {
            { Code: HttpStatusCode.NotFound } => "cannot compare with the live object: it does not exist (any more)",
            { IsPermissionDenied: true } => "cannot compare with the live object: " + PermissionAdvice.Explain(failure.Call!, user),
            { Code: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized } => "cannot compare with the live object: reading it was refused",
            not null => $"cannot compare with the live object: {failure.Message}",
            _ when e is CliException cli => $"cannot compare with the live object: {cli.Message}",
            _ => $"cannot compare with the live object: {ApiErrors.Explain(e, user: user).Message}",
        };
    }
}
