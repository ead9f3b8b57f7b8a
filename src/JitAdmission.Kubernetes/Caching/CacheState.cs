using System.Collections.Immutable;

namespace JitAdmission.Kubernetes.Caching;

/// <summary>
/// One immutable snapshot of a cache: the objects by key and every secondary index. Writers build a new snapshot
/// under the cache's lock and publish it with one reference write, so readers never lock and never see an index
/// that disagrees with the objects.
/// </summary>
internal sealed class CacheState<T>
    where T : class
{
    private T[]? _list;

    private CacheState(
        ImmutableDictionary<string, T> items,
        ImmutableDictionary<string, ImmutableDictionary<string, ImmutableHashSet<string>>> indexes,
        ImmutableDictionary<string, ImmutableDictionary<string, string[]>> indexedKeys)
    {
        Items = items;
        Indexes = indexes;
        IndexedKeys = indexedKeys;
    }

    public static CacheState<T> Empty { get; } = new(
        ImmutableDictionary.Create<string, T>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, ImmutableDictionary<string, ImmutableHashSet<string>>>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, ImmutableDictionary<string, string[]>>(StringComparer.Ordinal));

    public ImmutableDictionary<string, T> Items { get; }

    /// <summary>index name → index value → object keys.</summary>
    public ImmutableDictionary<string, ImmutableDictionary<string, ImmutableHashSet<string>>> Indexes { get; }

    /// <summary>index name → object key → the index values it was filed under (so removal needs no recomputation).</summary>
    public ImmutableDictionary<string, ImmutableDictionary<string, string[]>> IndexedKeys { get; }

    /// <summary>All objects; computed once per snapshot (a benign race may compute it twice).</summary>
    public IReadOnlyCollection<T> List => _list ??= [.. Items.Values];

    public IReadOnlyList<T> ByIndex(string index, string value)
    {
        if (!Indexes.TryGetValue(index, out var byValue)) throw new ArgumentException($"unknown index '{index}'", nameof(index));
        if (!byValue.TryGetValue(value, out var keys) || keys.IsEmpty) return [];
        var result = new List<T>(keys.Count);
        foreach (var key in keys)
            if (Items.TryGetValue(key, out var item)) result.Add(item);
        return result;
    }

    public CacheState<T> WithIndex(string name, Func<T, string[]> keysOf)
    {
        var byValue = ImmutableDictionary.CreateBuilder<string, ImmutableHashSet<string>>(StringComparer.Ordinal);
        var filed = ImmutableDictionary.CreateBuilder<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, item) in Items)
        {
            var values = keysOf(item);
            filed[key] = values;
            foreach (var value in values)
                byValue[value] = (byValue.TryGetValue(value, out var set) ? set : ImmutableHashSet<string>.Empty).Add(key);
        }

        return new CacheState<T>(Items, Indexes.SetItem(name, byValue.ToImmutable()), IndexedKeys.SetItem(name, filed.ToImmutable()));
    }

    public CacheState<T> WithItem(string key, T item, IReadOnlyDictionary<string, Func<T, string[]>> indexers)
    {
        var state = WithoutIndexEntries(key);
        var indexes = state.Indexes;
        var indexedKeys = state.IndexedKeys;
        foreach (var (name, keysOf) in indexers)
        {
            var values = keysOf(item);
            var byValue = indexes[name];
            foreach (var value in values)
                byValue = byValue.SetItem(value, (byValue.TryGetValue(value, out var set) ? set : ImmutableHashSet<string>.Empty).Add(key));
            indexes = indexes.SetItem(name, byValue);
            indexedKeys = indexedKeys.SetItem(name, indexedKeys[name].SetItem(key, values));
        }

        return new CacheState<T>(Items.SetItem(key, item), indexes, indexedKeys);
    }

    public CacheState<T> WithoutItem(string key)
    {
        var state = WithoutIndexEntries(key);
        return new CacheState<T>(Items.Remove(key), state.Indexes, state.IndexedKeys);
    }

    /// <summary>A snapshot holding exactly <paramref name="items"/>, indexed from scratch (after a re-list).</summary>
    public static CacheState<T> Build(IEnumerable<KeyValuePair<string, T>> items, IReadOnlyDictionary<string, Func<T, string[]>> indexers)
    {
        var state = new CacheState<T>(ImmutableDictionary.CreateRange(StringComparer.Ordinal, items), Empty.Indexes, Empty.IndexedKeys);
        foreach (var (name, keysOf) in indexers) state = state.WithIndex(name, keysOf);
        return state;
    }

    private CacheState<T> WithoutIndexEntries(string key)
    {
        var indexes = Indexes;
        var indexedKeys = IndexedKeys;
        foreach (var (name, filed) in IndexedKeys)
        {
            if (!filed.TryGetValue(key, out var values)) continue;
            var byValue = indexes[name];
            foreach (var value in values)
            {
                if (!byValue.TryGetValue(value, out var set)) continue;
                set = set.Remove(key);
                byValue = set.IsEmpty ? byValue.Remove(value) : byValue.SetItem(value, set);
            }

            indexes = indexes.SetItem(name, byValue);
            indexedKeys = indexedKeys.SetItem(name, filed.Remove(key));
        }

        return ReferenceEquals(indexes, Indexes) ? this : new CacheState<T>(Items, indexes, indexedKeys);
    }
}
