namespace JitAdmission.Core.Changes;

internal enum ChangeOp
{
    Added,
    Removed,
    Changed,
    /// <summary>A field of the proposed object, as it will be.</summary>
    Set,
}

/// <summary>One difference, kept unformatted so that lines past the size budget cost only a count.</summary>
internal readonly record struct ChangeLine(ChangeOp Op, ChangePath Path, JsonElement? Old, JsonElement? New, bool Hidden)
{
    public const string HiddenValue = "(value hidden)";

    public string Format() => Op switch
    {
        ChangeOp.Added => $"+ {Path}: {Value(New)}",
        ChangeOp.Removed => $"- {Path}: {Value(Old)}",
        ChangeOp.Set => $"= {Path}: {Value(New)}",
        _ when Hidden => $"~ {Path}: {HiddenValue}",
        _ => $"~ {Path}: {Value(Old)} → {Value(New)}",
    };

    private string Value(JsonElement? value) => Hidden ? HiddenValue : ValueText.Format(value);
}
