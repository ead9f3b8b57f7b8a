using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using Cel;

namespace JitAdmission.Core.Cel;

/// <summary>Compiles a policy condition: size and nesting bounds, syntax, then the static name checks.</summary>
public static class CelCompiler
{
    /// <param name="contextNames">Names declared in the policy's <c>spec.context</c>, usable as <c>context.NAME</c>.</param>
    public static CelCompileResult Compile(string expression, IReadOnlySet<string> contextNames)
    {
        if (string.IsNullOrWhiteSpace(expression)) return CelCompileResult.Failed("expression is empty");

        var bytes = Encoding.UTF8.GetByteCount(expression);
        if (bytes > CelLimits.MaxExpressionBytes)
        {
            return CelCompileResult.Failed($"expression is {bytes} bytes, more than the maximum of {CelLimits.MaxExpressionBytes}");
        }

        var nesting = MaxBracketNesting(expression);
        if (nesting > CelLimits.MaxNesting)
        {
            return CelCompileResult.Failed($"expression nests brackets {nesting} deep, more than the maximum of {CelLimits.MaxNesting}");
        }

        global::Cel.Internal.CelParser.StartContext tree;
        try
        {
            tree = CelRuntime.Parse(expression);
        }
        catch (CelException ex)
        {
            return CelCompileResult.Failed($"syntax error: {ex.Message}");
        }

        var depth = TreeDepth(tree);
        if (depth > CelLimits.MaxTreeDepth)
        {
            return CelCompileResult.Failed($"expression is too deeply nested ({depth} levels, maximum {CelLimits.MaxTreeDepth}); split it into several conditions");
        }

        var errors = CelExpressionChecker.Check(tree, contextNames);
        if (errors.Count > 0) return CelCompileResult.Failed(string.Join("; ", errors));

        try
        {
            return CelCompileResult.Succeeded(CelRuntime.Compile(tree));
        }
        catch (CelException ex)
        {
            return CelCompileResult.Failed(ex.Message);
        }
    }

    /// <summary>Conservative: brackets inside string literals count too, which can only reject, never crash.</summary>
    private static int MaxBracketNesting(string expression)
    {
        int depth = 0, max = 0;
        foreach (var c in expression)
        {
            if (c is '(' or '[' or '{') max = Math.Max(max, ++depth);
            else if (c is ')' or ']' or '}') depth = Math.Max(0, depth - 1);
        }

        return max;
    }

    // Iterative, so that measuring a deep tree cannot itself overflow the stack.
    private static int TreeDepth(IParseTree root)
    {
        var max = 0;
        var stack = new Stack<(IParseTree Node, int Depth)>();
        stack.Push((root, 1));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            max = Math.Max(max, depth);
            if (node is ParserRuleContext) for (var i = 0; i < node.ChildCount; i++) stack.Push((node.GetChild(i), depth + 1));
        }

        return max;
    }
}
