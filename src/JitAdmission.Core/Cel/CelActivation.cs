using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace JitAdmission.Core.Cel;

/// <summary>
/// The variable lookup a compiled program calls. The CEL library only ever calls <see cref="TryGetValue"/>; values
/// come lazily from the shared request view. Read-only: mutation throws <see cref="NotSupportedException"/> like any
/// read-only dictionary.
/// </summary>
internal sealed class CelActivation(CelRequestVariables variables, IReadOnlyList<ContextReference> references) : IDictionary<string, object?>
{
    private Dictionary<string, object?>? _context;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? TryGetVariable(key, out value) : TryGetPath(key, dot, out value);
    }

    /// <summary>
    /// Before selecting a field the library asks for the whole dotted text ("object.spec.replicas") and, failing
    /// that, scans protobuf descriptors on every evaluation; answering plain map paths here makes field access
    /// several times faster. Anything else (a missing key, a non-map, an index or call in the text) is declined so
    /// that the library's own rules decide. Safe because iteration variables cannot shadow these names.
    /// </summary>
    private bool TryGetPath(string path, int dot, out object? value)
    {
        value = null;
        if (!TryGetVariable(path[..dot], out var current)) return false;
        var rest = path.AsSpan(dot + 1);
        while (true)
        {
            if (current is not Dictionary<string, object?> map || !map.TryGetAlternateLookup<ReadOnlySpan<char>>(out var lookup)) return false;
            var next = rest.IndexOf('.');
            var segment = next < 0 ? rest : rest[..next];
            if (!lookup.TryGetValue(segment, out current)) return false;
            if (next < 0)
            {
                value = current;
                return true;
            }

            rest = rest[(next + 1)..];
        }
    }

    private bool TryGetVariable(string key, out object? value)
    {
        switch (key)
        {
            case CelVariables.Object: value = variables.Object; return true;
            case CelVariables.OldObject: value = variables.OldObject; return true;
            case CelVariables.Request: value = variables.Request; return true;
            case CelVariables.NamespaceObject: value = variables.NamespaceObject; return true;
            case CelVariables.Now: value = variables.Now; return true;
            case CelVariables.Context: value = Context(); return true;
            default: value = null; return false;
        }
    }

    private Dictionary<string, object?> Context()
    {
        if (_context is not null) return _context;
        var context = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var reference in references)
        {
            context[reference.Name] = variables.ConfigMap(reference.ConfigMap.Namespace, reference.ConfigMap.Name);
        }

        return _context = context;
    }

    public object? this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);
        set => throw ReadOnly();
    }

    public ICollection<string> Keys => [.. CelVariables.All];

    public ICollection<object?> Values => CelVariables.All.Select(k => this[k]).ToList();

    public int Count => CelVariables.All.Count;

    public bool IsReadOnly => true;

    public bool ContainsKey(string key) => CelVariables.Set.Contains(key);

    public bool Contains(KeyValuePair<string, object?> item) => TryGetValue(item.Key, out var value) && Equals(value, item.Value);

    public void CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex)
    {
        foreach (var pair in this) array[arrayIndex++] = pair;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        foreach (var key in CelVariables.All) yield return new KeyValuePair<string, object?>(key, this[key]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Add(string key, object? value) => throw ReadOnly();

    public void Add(KeyValuePair<string, object?> item) => throw ReadOnly();

    public void Clear() => throw ReadOnly();

    public bool Remove(string key) => throw ReadOnly();

    public bool Remove(KeyValuePair<string, object?> item) => throw ReadOnly();

    private static NotSupportedException ReadOnly() => new("CEL variables are read-only.");
}
