namespace JitAdmission.Core.Changes;

/// <summary>
/// A change set at a glance, for approvers' notifications and <c>kubectl jit describe</c>: how many objects by operation
/// and kind, one line per object with what matters (<see cref="ObjectHighlights"/>: images, replicas, RBAC rules and
/// subjects, Service exposure, what reaches the node, risks flagged <c>(!)</c>), then the size — pods affected and
/// objects flagged. Computed from the set's objects alone (what the approval lets through), never from text the
/// requester wrote; bounded like <see cref="ChangeSummary"/>, with every string from the objects escaped.
/// </summary>
public static class ChangeSetSummary
{
    public const int DefaultMaxChars = ChangeSummary.DefaultMaxChars;

    private const int MaxLineChars = 600;

    private const int MinBodyChars = 32;

    /// <summary>
    /// "3 objects: create 1 ConfigMap, update 2 Deployments", a line per object, then "pods affected: 7"; at most
    /// <paramref name="maxChars"/> characters, objects past the budget counted ("… and 12 more objects"). The first and
    /// last lines are always there.
    /// </summary>
    public static string Describe(IReadOnlyList<ChangeSetObject> objects, int maxChars = DefaultMaxChars)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 80);
        // Every object counts towards the size and the flags, also those past the budget.
        var highlights = objects.Select(o => ObjectHighlights.Of(o.Group, KindOf(o), o.Object)).ToList();
        var header = ValueText.Truncate(Counts(objects), MaxLineChars);
        var footer = Size(highlights);
        var budget = maxChars - header.Length - footer.Length - 2;
        // Below a minimal body the two lines are what counts; the counts give way first, the flags last.
        if (budget < MinBodyChars)
            return Safe(ValueText.Truncate($"{ValueText.Truncate(header, Math.Max(MinBodyChars, maxChars - footer.Length - 1))}\n{footer}", maxChars));

        var body = new BoundedLines(budget, MaxLineChars, "object");
        for (var i = 0; i < objects.Count; i++)
        {
            var (entry, highlight) = (objects[i], highlights[i]);
            body.Add(() => Line(entry, highlight));
        }

        return Safe(body.IsEmpty ? $"{header}\n{footer}" : $"{header}\n{body}\n{footer}");
    }

    /// <summary>"3 objects: create 1 ConfigMap, update 2 Deployments" (escaped, not cut).</summary>
    public static string Counts(IReadOnlyList<ChangeSetObject> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var groups = objects
            .GroupBy(o => (Operation: o.Operation, Kind: KindOf(o)))
            .OrderBy(g => OperationOrder(g.Key.Operation)).ThenBy(g => g.Key.Operation, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Kind, StringComparer.Ordinal)
            .Select(g => $"{Show(g.Key.Operation.ToLowerInvariant())} {g.Count()} {Show(g.Count() == 1 ? g.Key.Kind : Plural(g.Key.Kind))}")
            .ToList();
        var count = $"{objects.Count} object{(objects.Count == 1 ? "" : "s")}";
        return groups.Count == 0 ? count : $"{count}: {string.Join(", ", groups)}";
    }

    /// <summary>The entry's kind; the object's, or the resource, when the entry names none.</summary>
    public static string KindOf(ChangeSetObject entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Kind is { Length: > 0 } kind) return kind;
        return entry.Object is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty("kind", out var k)
            && k.ValueKind == JsonValueKind.String && k.GetString() is { Length: > 0 } objectKind
            ? objectKind
            : entry.Resource;
    }

    /// <summary>"UPDATE Deployment prod/web: privileged web (!); replicas 3; images web=nginx:1.27".</summary>
    private static string Line(ChangeSetObject entry, ObjectHighlights highlights)
    {
        var target = string.IsNullOrEmpty(entry.Namespace) ? Show(entry.Name) : $"{Show(entry.Namespace)}/{Show(entry.Name)}";
        var line = $"{Show(entry.Operation)} {Show(KindOf(entry))} {target}";
        var items = string.Join("; ", highlights.Items);
        return items.Length == 0 ? line : $"{line}: {items}";
    }

    /// <summary>"pods affected: 7, plus one per node for 1 DaemonSet; 2 objects flagged (!)".</summary>
    private static string Size(List<ObjectHighlights> highlights)
    {
        var text = new StringBuilder($"pods affected: {highlights.Sum(h => h.Pods)}");
        var daemonSets = highlights.Count(h => h.PerNode);
        if (daemonSets > 0) text.Append($", plus one per node for {daemonSets} DaemonSet{(daemonSets == 1 ? "" : "s")}");
        var cronJobs = highlights.Where(h => h.PodsPerRun > 0).ToList();
        if (cronJobs.Count > 0)
            text.Append($", plus {cronJobs.Sum(h => h.PodsPerRun)} per run of {cronJobs.Count} CronJob{(cronJobs.Count == 1 ? "" : "s")}");
        var flagged = highlights.Count(h => h.Flagged);
        if (flagged > 0) text.Append($"; {flagged} object{(flagged == 1 ? "" : "s")} flagged {ObjectHighlights.Flag}");
        return text.ToString();
    }

    private static int OperationOrder(string operation) => operation switch
    {
        Operations.Create => 0,
        Operations.Update => 1,
        _ => 2,
    };

    /// <summary>English plurals of kinds: Deployments, NetworkPolicies, Ingresses; a kind already plural (Endpoints) stays.</summary>
    private static string Plural(string kind)
    {
        if (kind.EndsWith("ss", StringComparison.Ordinal) || kind.EndsWith('x') || kind.EndsWith('z')
            || kind.EndsWith("ch", StringComparison.Ordinal) || kind.EndsWith("sh", StringComparison.Ordinal))
            return kind + "es";
        if (kind.EndsWith('s')) return kind;
        if (kind.Length > 1 && kind[^1] == 'y' && !"aeiou".Contains(kind[^2], StringComparison.Ordinal)) return kind[..^1] + "ies";
        return kind + "s";
    }

    private static string Show(string? text) => ObjectHighlights.Show(text);

    private static string Safe(string text) => Text.TerminalText.Escape(text, multiline: true);
}
