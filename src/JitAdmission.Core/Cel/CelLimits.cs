namespace JitAdmission.Core.Cel;

/// <summary>Bounds that keep a policy from crashing or stalling the process that compiles and evaluates it.</summary>
public static class CelLimits
{
    /// <summary>Longest expression accepted, in UTF-8 bytes.</summary>
    public const int MaxExpressionBytes = 4096;

    /// <summary>Deepest bracket nesting accepted. The library's recursive-descent parser overflows the stack (which
    /// kills the process, it cannot be caught) at a few hundred levels; real conditions need a handful.</summary>
    public const int MaxNesting = 32;

    /// <summary>Deepest parse tree accepted (long operator chains nest too); evaluation recurses once per level.</summary>
    public const int MaxTreeDepth = 400;
}
