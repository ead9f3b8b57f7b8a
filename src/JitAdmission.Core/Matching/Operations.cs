namespace JitAdmission.Core.Matching;

/// <summary>Admission operations as policies and webhook rules name them.</summary>
public static class Operations
{
    public const string Create = "CREATE";
    public const string Update = "UPDATE";
    public const string Delete = "DELETE";
    public const string Connect = "CONNECT";
    /// <summary>Every operation: the same wildcard rules use for groups, versions and resources.</summary>
    public const string All = ResourcePattern.Wildcard;

    public static readonly IReadOnlyList<string> Concrete = [Create, Update, Delete, Connect];

    public static bool IsValid(string? operation) => operation is Create or Update or Delete or Connect or All;
}
