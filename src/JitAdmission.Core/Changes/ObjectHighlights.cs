using JitAdmission.Core.Text;

namespace JitAdmission.Core.Changes;

/// <summary>
/// What matters in one object at a glance (<see cref="ChangeSetSummary"/>): the images a workload runs and how many
/// pods, what a Role allows and whom a binding grants it to, how a Service is exposed, and what reaches the node.
/// Items that widen access or reach the node are flagged and listed first, so a cut line keeps them. Every string
/// from the object is escaped and cut here: the object is the requester's to write.
/// </summary>
internal sealed class ObjectHighlights
{
    public const string Flag = "(!)";

    /// <summary>One value (an image, a path) is never longer than this.</summary>
    private const int MaxValueChars = 200;

    /// <summary>Items shown per list (containers, rules, subjects); the rest are counted, but all are checked for flags.</summary>
    private const int MaxListItems = 20;

    private const string Rbac = "rbac.authorization.k8s.io";

    /// <summary>Every container runs code on the node: init and ephemeral (debug) ones too.</summary>
    private static readonly (string List, string Prefix)[] ContainerLists = [("initContainers", "init:"), ("containers", ""), ("ephemeralContainers", "debug:")];

    private static readonly string[] HostNamespaces = ["hostNetwork", "hostPID", "hostIPC"];

    private readonly List<(string Text, bool Flagged)> _items = [];

    public bool Flagged => _items.Exists(i => i.Flagged);

    /// <summary>Pods this object runs (replicas; 1 for a Pod or a Job without parallelism).</summary>
    public long Pods { get; private set; }

    /// <summary>Pods each run of a CronJob starts.</summary>
    public long PodsPerRun { get; private set; }

    /// <summary>A DaemonSet: one pod per node it selects, which the object alone cannot count.</summary>
    public bool PerNode { get; private set; }

    /// <summary>Flagged items first, then the rest, in the order found.</summary>
    public IEnumerable<string> Items => _items.Where(i => i.Flagged).Concat(_items.Where(i => !i.Flagged)).Select(i => i.Text);

    public static ObjectHighlights Of(string group, string kind, JsonElement? obj)
    {
        var highlights = new ObjectHighlights();
        if (obj is not { ValueKind: JsonValueKind.Object } root) return highlights;
        switch (group, kind)
        {
            case ("", "Pod"):
                highlights.Pods = 1;
                highlights.PodSpec(Path(root, "spec"));
                break;
            case ("apps", "Deployment" or "StatefulSet" or "ReplicaSet"):
                // The API server defaults spec.replicas to 1.
                highlights.Pods = Count(Path(root, "spec", "replicas")) ?? 1;
                highlights.Add($"replicas {highlights.Pods}");
                highlights.PodSpec(Path(root, "spec", "template", "spec"));
                break;
            case ("apps", "DaemonSet"):
                highlights.PerNode = true;
                highlights.PodSpec(Path(root, "spec", "template", "spec"));
                break;
            case ("batch", "Job"):
                highlights.Pods = Count(Path(root, "spec", "parallelism")) ?? 1;
                highlights.Add($"parallelism {highlights.Pods}");
                highlights.PodSpec(Path(root, "spec", "template", "spec"));
                break;
            case ("batch", "CronJob"):
                if (String(Path(root, "spec", "schedule")) is { } schedule) highlights.Add($"schedule \"{Show(schedule)}\"");
                highlights.PodsPerRun = Count(Path(root, "spec", "jobTemplate", "spec", "parallelism")) ?? 1;
                highlights.PodSpec(Path(root, "spec", "jobTemplate", "spec", "template", "spec"));
                break;
            case (Rbac, "Role" or "ClusterRole"):
                highlights.Rules(Path(root, "rules"));
                if (Path(root, "aggregationRule") is { ValueKind: JsonValueKind.Object })
                    highlights.Add($"aggregates the rules of other ClusterRoles {Flag}", flagged: true);
                break;
            case (Rbac, "RoleBinding" or "ClusterRoleBinding"):
                highlights.Binding(root);
                break;
            case ("", "Service"):
                highlights.Service(root);
                break;
        }

        return highlights;
    }

    /// <summary>A string from an object, safe for a terminal and cut to one short value.</summary>
    public static string Show(string? text) => ValueText.Truncate(TerminalText.Escape(text), MaxValueChars);

    private void Add(string text, bool flagged = false) => _items.Add((text, flagged));

    private void PodSpec(JsonElement? spec)
    {
        if (spec is not { ValueKind: JsonValueKind.Object } pod) return;
        foreach (var field in HostNamespaces)
            if (Path(pod, field) is { ValueKind: JsonValueKind.True }) Add($"{field} {Flag}", flagged: true);

        var images = new List<string>();
        var privileged = new List<string>();
        foreach (var (list, prefix) in ContainerLists)
        {
            foreach (var container in Objects(Path(pod, list)))
            {
                var name = Show(String(Path(container, "name")) ?? "?");
                images.Add($"{prefix}{name}={Show(String(Path(container, "image")) ?? "(none)")}");
                if (Path(container, "securityContext", "privileged") is { ValueKind: JsonValueKind.True }) privileged.Add(prefix + name);
            }
        }

        if (privileged.Count > 0) Add($"privileged {Joined(privileged, ",")} {Flag}", flagged: true);
        var hostPaths = Objects(Path(pod, "volumes"))
            .Where(v => Path(v, "hostPath") is { ValueKind: JsonValueKind.Object })
            .Select(v => $"{Show(String(Path(v, "name")) ?? "?")}={Show(String(Path(v, "hostPath", "path")) ?? "?")}")
            .ToList();
        if (hostPaths.Count > 0) Add($"hostPath {Joined(hostPaths, ", ")} {Flag}", flagged: true);
        if (images.Count > 0) Add($"images {Joined(images, ", ")}");
    }

    /// <summary>"get,list on pods,pods/log | * on *.* (!)": verbs on resources (kubectl describe role's resource.group), dangerous rules first.</summary>
    private void Rules(JsonElement? rules)
    {
        var shown = new List<(string Text, bool Flagged)>();
        foreach (var rule in Objects(rules))
        {
            var verbs = Strings(Path(rule, "verbs"));
            var groups = Strings(Path(rule, "apiGroups"));
            var resources = Strings(Path(rule, "resources"));
            var urls = Strings(Path(rule, "nonResourceURLs"));
            var names = Strings(Path(rule, "resourceNames"));
            // A wildcard grants what does not exist yet; escalate, bind and impersonate grant more than they name.
            var flagged = verbs.Concat(groups).Concat(resources).Concat(urls).Any(v => v.Contains('*', StringComparison.Ordinal))
                || verbs.Any(v => v is "escalate" or "bind" or "impersonate");
            // Resources × groups can be large: only the shown ones are built.
            var targets = resources.SelectMany(r => groups.Count == 0 ? [r] : groups.Select(g => g.Length == 0 ? r : $"{r}.{g}")).Concat(urls);
            var targetCount = resources.Count * (long)Math.Max(1, groups.Count) + urls.Count;
            var text = $"{Joined(verbs, verbs.Count, ",")} on {(targetCount == 0 ? "(nothing)" : Joined(targets, targetCount, ","))}"
                + (names.Count > 0 ? $" named {Joined(names, names.Count, ",")}" : "")
                + (flagged ? " " + Flag : "");
            shown.Add((text, flagged));
        }

        if (shown.Count == 0) return;
        var ordered = shown.Where(r => r.Flagged).Concat(shown.Where(r => !r.Flagged)).Select(r => r.Text).ToList();
        Add($"rules {Joined(ordered, " | ")}", shown.Exists(r => r.Flagged));
    }

    /// <summary>"role ClusterRole/edit; subjects User alice, Group devs": who gets what.</summary>
    private void Binding(JsonElement binding)
    {
        var roleKind = String(Path(binding, "roleRef", "kind")) ?? "?";
        var roleName = String(Path(binding, "roleRef", "name")) ?? "?";
        var admin = roleKind == "ClusterRole" && roleName == "cluster-admin";
        Add($"role {Show(roleKind)}/{Show(roleName)}" + (admin ? " " + Flag : ""), admin);

        var subjects = new List<string>();
        var everyone = false;
        foreach (var subject in Objects(Path(binding, "subjects")))
        {
            var kind = String(Path(subject, "kind")) ?? "?";
            var name = String(Path(subject, "name")) ?? "?";
            var ns = String(Path(subject, "namespace"));
            // These name every (or any unauthenticated) caller, not people.
            var all = name is "system:authenticated" or "system:unauthenticated" or "system:anonymous";
            everyone |= all;
            subjects.Add($"{Show(kind)} {(kind == "ServiceAccount" && ns is { Length: > 0 } ? Show(ns) + "/" : "")}{Show(name)}" + (all ? " " + Flag : ""));
        }

        Add(subjects.Count == 0 ? "subjects (none)" : $"subjects {Joined(subjects, ", ")}", everyone);
    }

    private void Service(JsonElement service)
    {
        var type = String(Path(service, "spec", "type")) ?? "ClusterIP";
        // Reachable from outside the cluster.
        var exposed = type is "LoadBalancer" or "NodePort";
        var external = type == "ExternalName" && String(Path(service, "spec", "externalName")) is { } host ? " " + Show(host) : "";
        Add($"type {Show(type)}{external}" + (exposed ? " " + Flag : ""), exposed);
    }

    /// <summary>Already safe items (ours, or shown with <see cref="Show"/>), the first <see cref="MaxListItems"/> of them.</summary>
    private static string Joined(List<string> items, string separator) =>
        items.Count <= MaxListItems
            ? string.Join(separator, items)
            : string.Join(separator, items.Take(MaxListItems)) + $"{separator}+{items.Count - MaxListItems} more";

    /// <summary>Strings from the object: the first <see cref="MaxListItems"/> of <paramref name="count"/>, each shown safely.</summary>
    private static string Joined(IEnumerable<string> raw, long count, string separator)
    {
        var shown = string.Join(separator, raw.Take(MaxListItems).Select(Show));
        return count <= MaxListItems ? shown : $"{shown}{separator}+{count - MaxListItems} more";
    }

    private static JsonElement? Path(JsonElement element, params ReadOnlySpan<string> path)
    {
        var current = element;
        foreach (var key in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(key, out current)) return null;
        }

        return current;
    }

    private static JsonElement? Path(JsonElement? element, params ReadOnlySpan<string> path) =>
        element is { } e ? Path(e, path) : null;

    private static string? String(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;

    private static long? Count(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var count) ? Math.Clamp(count, 0, int.MaxValue) : null; // int32 in the API: sums cannot overflow

    private static IEnumerable<JsonElement> Objects(JsonElement? list) =>
        list is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object) : [];

    private static List<string> Strings(JsonElement? list) =>
        list is { ValueKind: JsonValueKind.Array } array
            ? [.. array.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!)]
            : [];
}
