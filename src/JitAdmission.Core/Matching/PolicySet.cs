using System.Collections.Concurrent;
using JitAdmission.Core.Admission;
using JitAdmission.Core.Api;

namespace JitAdmission.Core.Matching;

/// <summary>
/// An immutable snapshot of compiled policies with an index keyed by (group, resource, subresource, operation).
/// Wildcard rules (<c>*</c> group/resource/operation, <c>*/scale</c>, <c>pods/*</c>) are stored under their
/// wildcard key and found by probing only the wildcard shapes that occur; the merged answer per request key is
/// memoised, so after the first request for a key a lookup is one dictionary hit whatever the number of policies,
/// and a request no policy covers allocates nothing.
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
    private readonly ConcurrentDictionary<IndexKey, CompiledPolicy[]> _memo = new();
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

    public IReadOnlyList<CompiledPolicy> Candidates(AdmissionAttributes request) =>
        Candidates(request.Resource.Group, request.Resource.Resource, request.SubResource, request.Operation);

    /// <summary>Policies with a rule that may match; apiVersion and everything else is left to the evaluator.
    /// Ordered by name. Returns a shared empty array when none.</summary>
    public IReadOnlyList<CompiledPolicy> Candidates(string group, string resource, string subResource, string operation)
    {
        var key = new IndexKey(group, resource, subResource, operation);
        if (_memo.TryGetValue(key, out var memoised)) return memoised;
        var result = Lookup(key);
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
                    }
                }
            }
        }
    }

    private readonly record struct IndexKey(string Group, string Resource, string SubResource, string Operation);

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
