namespace JitAdmission.Core.Changes;

/// <summary>
/// A path into an object, built as a linked list while walking so that only paths that are actually shown are
/// turned into text: <c>spec.template.spec.containers[name=web].image</c>, <c>metadata.labels["app.kubernetes.io/name"]</c>.
/// </summary>
internal sealed class ChangePath
{
    private readonly ChangePath? _parent;
    private readonly string? _key;
    private readonly int _index;
    private readonly string? _itemName;

    private ChangePath(ChangePath? parent, string? key, int index, string? itemName)
    {
        _parent = parent;
        _key = key;
        _index = index;
        _itemName = itemName;
    }

    public static ChangePath Root(string key) => new(null, key, -1, null);

    public ChangePath Key(string key) => new(this, key, -1, null);

    public ChangePath Index(int index) => new(this, null, index, null);

    /// <summary>A list item identified by its <c>name</c> field, which survives reordering.</summary>
    public ChangePath Named(string name) => new(this, null, -1, name);

    public override string ToString()
    {
        var builder = new StringBuilder();
        Append(builder);
        return builder.ToString();
    }

    private void Append(StringBuilder builder)
    {
        _parent?.Append(builder);
        if (_itemName is not null) builder.Append("[name=").Append(_itemName).Append(']');
        else if (_key is null) builder.Append('[').Append(_index).Append(']');
        else if (IsPlain(_key))
        {
            if (_parent is not null) builder.Append('.');
            builder.Append(_key);
        }
        else builder.Append("[\"").Append(_key.Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\"]");
    }

    // Keys such as "app.kubernetes.io/name" would be ambiguous after a dot.
    private static bool IsPlain(string key)
    {
        if (key.Length == 0) return false;
        foreach (var c in key)
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-') return false;
        return true;
    }
}
