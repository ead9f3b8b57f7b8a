using JitAdmission.Core.Changes;
using JitAdmission.Core.Matching;

namespace JitAdmission.Cli.Model;

/// <summary>
/// <c>kubectl jit describe</c> of a change set: every object the approval lets through (<c>spec.changeSet.objects</c>)
/// against the object as it is now, each read with the caller's own credentials, as <see cref="LiveComparison"/> does
/// for one change. A CREATE whose object does not exist yet shows the whole proposed object; an object the caller
/// cannot read says so and shows the proposed object as it will be. Bounded (<see cref="ChangeSummary"/>), Secret
/// values hidden (a set cannot hold Secrets, but the path stays), control characters escaped.
/// </summary>
internal static class ChangeSetComparison
{
    /// <summary>All comparisons together stay readable: a set of 50 objects gets about 1300 characters per object.</summary>
    private const int TotalChars = 64_000;

    private const int MinObjectChars = 800;

    /// <summary>One comparison per object, in the set's order; null when the request is not a change set.</summary>
    public static async Task<IReadOnlyList<LiveComparison>?> ReadAsync(ClusterSession session, ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Spec.ChangeSet is not { } set) return null;
        var objects = set.Objects;
        var maxChars = Math.Clamp(TotalChars / Math.Max(1, objects.Count), MinObjectChars, ChangeSummary.DefaultMaxChars);
        var used = request.Status?.UsedObjects ?? [];
        var comparisons = new List<LiveComparison>(objects.Count);
        for (var i = 0; i < objects.Count; i++)
        {
            var entry = objects[i];
            var position = $"[{i + 1}/{objects.Count}]";
            var title = used.Contains(entry.Fingerprint, StringComparer.Ordinal) && entry.Fingerprint.Length > 0 ? $"{position} (already let through)" : position;
            comparisons.Add(await CompareAsync(session, entry, title, maxChars, cancellationToken));
        }

        return comparisons;
    }

    private static async Task<LiveComparison> CompareAsync(ClusterSession session, ChangeSetObject entry, string title, int maxChars, CancellationToken cancellationToken)
    {
        var header = Header(entry);
        if (entry.Object is not { ValueKind: JsonValueKind.Object } proposed)
            return new LiveComparison($"{title} {header}", null, "the object is not recorded in the request");
        var isSecret = (entry.Group.Length == 0 && entry.Resource == "secrets") || entry.Kind == "Secret";
        var create = entry.Operation == Operations.Create;

        JsonElement live;
        try
        {
            live = await ReadLiveAsync(session, entry, cancellationToken);
        }
        catch (Exception e) when (create && ApiErrors.IsNotFound(e))
        {
            return new LiveComparison($"{title} a new object (there is no live one to compare)",
                ChangeSummary.Compare(header, null, proposed, isSecret, maxChars: maxChars), null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var why = await LiveComparison.WhyNotAsync(session, e, cancellationToken);
            // What the approval lets through is shown whatever the caller may read: it is in the request.
            return create
                ? new LiveComparison($"{title} a new object", ChangeSummary.Compare(header, null, proposed, isSecret, maxChars: maxChars), why)
                : new LiveComparison(title, ChangeSummary.AsItWillBe(header, proposed, isSecret, maxChars: maxChars), why + "; the object as it will be");
        }

        return new LiveComparison(
            create
                ? $"{title} exists already (read with your credentials): the create will be refused unless it goes first; against it"
                : $"{title} against the live object (read with your credentials)",
            ChangeSummary.Compare(header, live, proposed, isSecret, maxChars: maxChars),
            null);
    }

    /// <summary>The entry's names go into a URL path: checked here too, although jit-admission's guard checked them.</summary>
    private static Task<JsonElement> ReadLiveAsync(ClusterSession session, ChangeSetObject entry, CancellationToken cancellationToken)
    {
        if ((entry.Group.Length > 0 && !NameRules.IsDnsSubdomain(entry.Group)) || !NameRules.IsDnsLabel(entry.Version) || !NameRules.IsDnsLabel(entry.Resource)
            || !NameRules.IsPathSegmentName(entry.Name) || (!string.IsNullOrEmpty(entry.Namespace) && !NameRules.IsDnsLabel(entry.Namespace)))
            throw new CliException("the entry does not name an object that can be read");
        return LiveComparison.ReadLiveAsync(session, entry.Group, entry.Version, entry.Resource, null, entry.Namespace, entry.Name, cancellationToken);
    }

    /// <summary>"UPDATE apps/v1 deployments prod/web", as for one change; one line whatever the entry holds.</summary>
    private static string Header(ChangeSetObject entry)
    {
        var gv = entry.Group.Length > 0 ? $"{entry.Group}/{entry.Version}" : entry.Version;
        var target = string.IsNullOrEmpty(entry.Namespace) ? entry.Name : $"{entry.Namespace}/{entry.Name}";
        return TerminalText.Escape($"{entry.Operation} {gv} {entry.Resource} {target}");
    }
}
