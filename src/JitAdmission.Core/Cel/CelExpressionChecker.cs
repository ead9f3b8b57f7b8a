using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using Cel.Internal;

namespace JitAdmission.Core.Cel;

/// <summary>
/// Static checks the CEL library leaves to evaluation time: unknown variables and functions only fail when evaluated,
/// which for a policy would mean failing (closed) on live traffic instead of at <c>kubectl apply</c>.
/// Walks the parse tree with the macro iteration variables in scope.
/// </summary>
internal sealed class CelExpressionChecker
{
    private readonly IReadOnlySet<string> _contextNames;
    private readonly List<string> _errors = [];

    private CelExpressionChecker(IReadOnlySet<string> contextNames) => _contextNames = contextNames;

    public static IReadOnlyList<string> Check(CelParser.StartContext tree, IReadOnlySet<string> contextNames)
    {
        var checker = new CelExpressionChecker(contextNames);
        checker.Walk(tree, []);
        return checker._errors;
    }

    private void Walk(IParseTree node, IReadOnlyList<string> scope)
    {
        switch (node)
        {
            case CelParser.IdentOrGlobalCallContext ident:
                CheckIdentOrCall(ident, scope);
                return;
            case CelParser.MemberCallContext call when CelRuntime.Macros.Contains(call.id.Text):
                CheckMacro(call, scope);
                return;
            case CelParser.MemberCallContext call when !CelRuntime.Functions.Contains(call.id.Text):
                Error(call.id, $"unknown function '{call.id.Text}'{FunctionHint}");
                break;
            case CelParser.MemberCallContext call when call.id.Text == "matches":
                CheckRegexLiteral(call);
                break;
            case CelParser.SelectContext select:
                CheckSelect(select, scope);
                break;
            case CelParser.IndexContext index when index.opt is not null:
                Error(index.opt, "optional indexing ([?…]) is not supported");
                break;
            case CelParser.OptFieldContext field when field.opt is not null:
                Error(field.opt, "optional fields (?name) are not supported");
                break;
            case CelParser.OptExprContext opt when opt.opt is not null:
                Error(opt.opt, "optional entries (?expr) are not supported");
                break;
            case CelParser.CreateMessageContext message:
                Error(message.Start, "message construction (Type{…}) is not supported; use maps {'key': value}");
                return;
        }

        WalkChildren(node, scope);
    }

    private void WalkChildren(IParseTree node, IReadOnlyList<string> scope)
    {
        for (var i = 0; i < node.ChildCount; i++) Walk(node.GetChild(i), scope);
    }

    private void CheckIdentOrCall(CelParser.IdentOrGlobalCallContext ident, IReadOnlyList<string> scope)
    {
        var name = ident.id.Text;
        if (ident.op is null)
        {
            if (!scope.Contains(name) && !CelVariables.Set.Contains(name) && !CelRuntime.TypeNames.Contains(name))
            {
                Error(ident.id, $"unknown variable '{name}' (available: {string.Join(", ", CelVariables.All)})");
            }

            return;
        }

        if (!CelRuntime.Functions.Contains(name))
        {
            Error(ident.id, CelRuntime.Macros.Contains(name)
                ? $"'{name}' is a macro: call it on a list, e.g. list.{name}(x, predicate)"
                : $"unknown function '{name}'{FunctionHint}");
        }
        else if (name == "has")
        {
            var args = ident.args?._e;
            if (args is null || args.Count != 1 || Unwrap(args[0]) is not CelParser.SelectContext)
            {
                Error(ident.id, "has() takes one field selection, e.g. has(object.spec.replicas)");
            }
        }

        WalkChildren(ident, scope);
    }

    private void CheckMacro(CelParser.MemberCallContext call, IReadOnlyList<string> scope)
    {
        var name = call.id.Text;
        var args = call.args?._e;
        Walk(call.member(), scope);
        if (args is null || args.Count != 2)
        {
            Error(call.id, $"'{name}' takes an iteration variable and an expression, e.g. list.{name}(x, x > 0)");
            if (args is not null) foreach (var arg in args) Walk(arg, scope);
            return;
        }

        // The library binds the variable by the argument's text, so it must be a plain identifier.
        var variable = args[0].GetText();
        if (!Matching.NameRules.IsCelIdentifier(variable))
        {
            Error(args[0].Start, $"'{name}' needs an identifier as its first argument, not '{variable}'");
            Walk(args[1], scope);
            return;
        }

        if (CelRuntime.TypeNames.Contains(variable))
        {
            Error(args[0].Start, $"iteration variable '{variable}' is a type name; choose another name");
        }
        else if (CelVariables.Set.Contains(variable))
        {
            // Variables are resolved by path before scopes (see CelActivation), so shadowing them would misread.
            Error(args[0].Start, $"iteration variable '{variable}' hides the variable of that name; choose another name");
        }

        Walk(args[1], [.. scope, variable]);
    }

    private void CheckSelect(CelParser.SelectContext select, IReadOnlyList<string> scope)
    {
        if (select.opt is not null)
        {
            Error(select.opt, "optional field selection (.?) is not supported; use has()");
            return;
        }

        if (select.member() is CelParser.PrimaryExprContext primary &&
            primary.primary() is CelParser.IdentOrGlobalCallContext { op: null, leadingDot: null } root &&
            root.id.Text == CelVariables.Context && !scope.Contains(CelVariables.Context) && !_contextNames.Contains(select.id.Text))
        {
            Error(select.id, _contextNames.Count == 0
                ? $"context.{select.id.Text} is not declared: add it to spec.context"
                : $"context.{select.id.Text} is not declared in spec.context (declared: {string.Join(", ", _contextNames.Order(StringComparer.Ordinal))})");
        }
    }

    /// <summary>A literal pattern is checked now, so that an unsupported regex is an apply-time error.</summary>
    private void CheckRegexLiteral(CelParser.MemberCallContext call)
    {
        var args = call.args?._e;
        if (args is not { Count: 1 } || Unwrap(args[0]) is not CelParser.StringContext literal) return;
        try
        {
            var pattern = CelRuntime.Compile(CelRuntime.Parse(literal.GetText()))(new Dictionary<string, object?>()) as string;
            if (pattern is not null) CelRuntime.Regexes.Get(pattern);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            Error(literal.Start, $"invalid regular expression: {ex.Message}");
        }
    }

    /// <summary>Descends through single-child wrappers (expr → … → member) to the node that says what an argument is.</summary>
    private static IParseTree Unwrap(CelParser.ExprContext node)
    {
        IParseTree current = node;
        while (current.ChildCount == 1 && current.GetChild(0) is ParserRuleContext child) current = child;
        return current;
    }

    private void Error(IToken token, string message) => _errors.Add($"column {token.Column + 1}: {message}");

    private static readonly string FunctionHint =
        $" (available: {string.Join(", ", CelRuntime.Functions.Order(StringComparer.Ordinal))}; macros: {string.Join(", ", CelRuntime.Macros.Order(StringComparer.Ordinal))})";
}
