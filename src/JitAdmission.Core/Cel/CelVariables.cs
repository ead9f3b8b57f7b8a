namespace JitAdmission.Core.Cel;

/// <summary>The top-level names a policy condition can use (docs/semantics.md, "Conditions").</summary>
public static class CelVariables
{
    public const string Object = "object";
    public const string OldObject = "oldObject";
    public const string Request = "request";
    public const string NamespaceObject = "namespaceObject";
    public const string Now = "now";
    public const string Context = "context";

    public static readonly IReadOnlyList<string> All = [Object, OldObject, Request, NamespaceObject, Now, Context];

    internal static readonly HashSet<string> Set = new(All, StringComparer.Ordinal);
}
