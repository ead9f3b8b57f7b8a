using System.Collections.Concurrent;

namespace JitAdmission.Core.Matching;

/// <summary>
/// An immutable snapshot of compiled policies with an index keyed by (group, resource, subresource, operation).
/// Wildcard rules (<c>*</c> group/resource/operation, <c>*/scale</c>, <c>pods/*</c>) are stored under their
/// wildcard key and found by probing only the wildcard shapes that occur; the merged answer per request key is
/// memoised, so after the first request for a key a lookup is one dictionary hit whatever the number of policies,
/// and a request no policy covers allocates nothing. <see cref="ApplicableCandidates"/> also narrows by namespace the
/// policies that list only literal namespaces (the common per-team policy), so many such policies on one resource
/// cost a request outside their namespaces nothing either.
/// </summary>
public sealed class PolicySet
{
    /// <summary>Bounds the memo: keys come from the API server's resources, but a bound keeps memory predictable.</summary>
    private const int MaxMemoEntries = 16_384;

    private static readonly CompiledPolicy[] NoPolicies = [];

    public static readonly PolicySet Empty = new(NoPolicies);

    private readonly Dictionary<string, CompiledPolicy> _byName;
    private readonly Dictionary<IndexKey, CompiledPolicy[]> _index = [];
    private readonly Shape[] _shapes;
    private readonly ConcurrentDictionary<IndexKey, Entry> _memo = new();
    // ConcurrentDictionary.Count takes every lock; a counter keeps a miss cheap.
    private int _memoEntries;

    private PolicySet(CompiledPolicy[] policies)
    {
        All = policies;
        _byName = policies.ToDictionary(p => p.Name, StringComparer.Ordinal);

        var buckets = new Dictionary<IndexKey, List<CompiledPolicy>>();
        var shapes = new HashSet<Shape>();
        foreach (var policy in policies)
        {
            foreach (var key in KeysOf(policy))
            {
                if (!buckets.TryGetValue(key, out var list)) buckets[key] = list = [];
                if (list.Count == 0 || !ReferenceEquals(list[^1], policy)) list.Add(policy);
                shapes.Add(Shape.Of(key));
            }
        }

        foreach (var (key, list) in buckets) _index[key] = [.. list.Distinct()];
        _shapes = [.. shapes.OrderBy(s => s.Bits)];
    }

    /// <summary>Every policy, ordered by name.</summary>
    public IReadOnlyList<CompiledPolicy> All { get; }

    public CompiledPolicy? Get(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Builds a snapshot, reusing the compilation of every policy whose uid and generation (or, without a
    /// generation, its spec) are unchanged in <paramref name="previous"/>: CEL compiles once per policy generation.</summary>
    public static PolicySet Build(IEnumerable<ApprovalPolicy> policies, PolicySet? previous = null)
    {
        var compiled = new Dictionary<string, CompiledPolicy>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            var name = policy.Metadata.Name ?? "";
            var reused = previous?.Get(name) is { } old && old.IsCurrentFor(policy) ? old.WithPolicy(policy) : null;
            // Names are unique in a cluster; should a list repeat one, the last copy wins, as in a watch cache.
            compiled[name] = reused ?? CompiledPolicy.Compile(policy);
        }

        return new PolicySet([.. compiled.Values.OrderBy(p => p.Name, StringComparer.Ordinal)]);
    }

    public IReadOnlyList<CompiledPolicy> Candidates(AdmissionAttributes request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Candidates(request.Resource.Group, request.Resource.Resource, request.SubResource, request.Operation);
    }

    /// <summary>Policies with a rule that may match; apiVersion and everything else is left to the evaluator.
    /// Ordered by name. Returns a shared empty array when none.</summary>
    public IReadOnlyList<CompiledPolicy> Candidates(string group, string resource, string subResource, string operation) =>
        EntryFor(new IndexKey(group, resource, subResource, operation)).All;

    /// <summary>
    /// <see cref="Candidates(AdmissionAttributes)"/> less the policies that list only literal namespaces (no globs), none
    /// of them the request's effective namespace: the evaluator rejects those at its namespace stage, so leaving them
    /// out changes no decision. A policy with an invalid match section stays (it fails closed). Ordered by name; a
    /// shared empty array when none; after the first request for a resource and namespace, a lookup allocates nothing.
    /// </summary>
    public IReadOnlyList<CompiledPolicy> ApplicableCandidates(AdmissionAttributes request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var entry = EntryFor(new IndexKey(request.Resource.Group, request.Resource.Resource, request.SubResource, request.Operation));
        return entry.Narrowing is { } narrowing ? narrowing.For(RequestScope.EffectiveNamespace(request)) : entry.All;
    }

    private Entry EntryFor(IndexKey key)
    {
        if (_memo.TryGetValue(key, out var memoised)) return memoised;
        var all = Lookup(key);
        var result = new Entry(all, NamespaceNarrowing.For(all));
        if (Volatile.Read(ref _memoEntries) < MaxMemoEntries && _memo.TryAdd(key, result)) Interlocked.Increment(ref _memoEntries);
        return result;
    }

    private CompiledPolicy[] Lookup(IndexKey key)
    {
        CompiledPolicy[]? first = null;
        List<CompiledPolicy>? merged = null;
        foreach (var shape in _shapes)
        {
            if (!_index.TryGetValue(shape.Apply(key), out var hit)) continue;
            if (first is null)
            {
                first = hit;
                continue;
            }

            merged ??= [.. first];
            merged.AddRange(hit);
        }

        if (merged is null) return first ?? NoPolicies;
        return [.. merged.Distinct().OrderBy(p => p.Name, StringComparer.Ordinal)];
    }

    private static IEnumerable<IndexKey> KeysOf(CompiledPolicy policy)
    {
        foreach (var rule in policy.Rules)
        {
            foreach (var group in rule.Groups)
            {
                foreach (var resource in rule.Resources)
                {
                    foreach (var operation in rule.Operations)
                    {
                        yield return new IndexKey(group, resource.Resource, resource.SubResource, operation);
                        // DELETE rules are candidates for the UPDATEs that hand the object over (OwnershipHandover).
                        if (operation == Operations.Delete && OwnershipHandover.CoversMainResource(resource))
                            yield return new IndexKey(group, resource.Resource, "", Operations.Update);
                    }
                }
            }
        }
    }

    private readonly record struct IndexKey(string Group, string Resource, string SubResource, string Operation);

    /// <summary>The candidates of one index key, and how to narrow them by namespace (null when none lists literal namespaces).</summary>
    private sealed record Entry(CompiledPolicy[] All, NamespaceNarrowing? Narrowing);

    /// <summary>
    /// The candidates of one index key split into those a namespace cannot rule out (no namespaces, a glob, an invalid
    /// match section) and, per literal namespace, those that list it. Merged answers are memoised per namespace (bounded).
    /// </summary>
    private sealed class NamespaceNarrowing
    {
        private const int MaxMerged = 4096;
        private readonly CompiledPolicy[] _unscoped;
        private readonly Dictionary<string, CompiledPolicy[]> _listing;
        private readonly ConcurrentDictionary<string, CompiledPolicy[]> _merged = new(StringComparer.Ordinal);
        private int _mergedEntries;

        private NamespaceNarrowing(CompiledPolicy[] unscoped, Dictionary<string, CompiledPolicy[]> listing)
        {
            _unscoped = unscoped;
            _listing = listing;
        }

        public static NamespaceNarrowing? For(CompiledPolicy[] candidates)
        {
            List<CompiledPolicy>? unscoped = null;
            Dictionary<string, List<CompiledPolicy>>? listing = null;
            foreach (var policy in candidates)
            {
                if (LiteralNamespaces(policy) is not { } namespaces)
                {
                    (unscoped ??= []).Add(policy);
                    continue;
                }

                listing ??= new Dictionary<string, List<CompiledPolicy>>(StringComparer.Ordinal);
                foreach (var ns in namespaces)
                {
                    if (!listing.TryGetValue(ns, out var list)) listing[ns] = list = [];
                    if (list.Count == 0 || !ReferenceEquals(list[^1], policy)) list.Add(policy);
                }
            }

            if (listing is null) return null;
            // Candidates come ordered by name, and so do both parts.
            return new NamespaceNarrowing(unscoped is null ? NoPolicies : [.. unscoped], listing.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }

        public CompiledPolicy[] For(string @namespace)
        {
            if (!_listing.TryGetValue(@namespace, out var listing)) return _unscoped;
            if (_unscoped.Length == 0) return listing;
            if (_merged.TryGetValue(@namespace, out var merged)) return merged;
            merged = Merge(_unscoped, listing);
            if (Volatile.Read(ref _mergedEntries) < MaxMerged && _merged.TryAdd(@namespace, merged)) Interlocked.Increment(ref _mergedEntries);
            return merged;
        }

        /// <summary>The namespaces a policy is limited to, when the evaluator's namespace check is a plain lookup.</summary>
        private static string[]? LiteralNamespaces(CompiledPolicy policy)
        {
            var namespaces = policy.Policy.Spec.Match.Namespaces;
            if (!policy.MatchValid || namespaces is not { Count: > 0 }) return null;
            foreach (var ns in namespaces)
            {
                if (ns is null || Glob.HasWildcards(ns)) return null;
            }

            return [.. namespaces];
        }

        private static CompiledPolicy[] Merge(CompiledPolicy[] a, CompiledPolicy[] b)
        {
            var result = new CompiledPolicy[a.Length + b.Length];
            int i = 0, j = 0, k = 0;
            while (i < a.Length && j < b.Length) result[k++] = string.CompareOrdinal(a[i].Name, b[j].Name) <= 0 ? a[i++] : b[j++];
            while (i < a.Length) result[k++] = a[i++];
            while (j < b.Length) result[k++] = b[j++];
            return result;
        }
    }

    /// <summary>Which parts of an index key are wildcards; a request key is probed once per shape present.</summary>
    private readonly record struct Shape(int Bits)
    {
        private const string W = ResourcePattern.Wildcard;

        public static Shape Of(IndexKey key) => new(
            (key.Group == W ? 1 : 0) | (key.Resource == W ? 2 : 0) | (key.SubResource == W ? 4 : 0) | (key.Operation == W ? 8 : 0));

        public IndexKey Apply(IndexKey request) => new(
            (Bits & 1) != 0 ? W : request.Group,
            (Bits & 2) != 0 ? W : request.Resource,
            (Bits & 4) != 0 ? W : request.SubResource,
            (Bits & 8) != 0 ? W : request.Operation);
    }
}
