using System.Text.RegularExpressions;

namespace JitAdmission.Webhook.Tests.Monitoring;

/// <summary>
/// A recursive-descent parser for the PromQL the dashboard and alerts use, with Prometheus' precedence (lowest first:
/// or; and unless; comparisons; + -; * / %; unary; ^ right-associative) and its type rules: ranges only on selectors
/// (or a subquery's colon), functions' argument types and counts, comparisons of scalars only with bool, set operators
/// and vector matching only between instant vectors, one grouping clause per aggregation, a selector that matches
/// something, valid regular expressions. Enough to reject what Prometheus would reject in that subset; not the whole
/// language (no @, no native histograms' functions).
/// </summary>
public sealed class PromQlParser
{
    private static readonly HashSet<string> Aggregations = new(StringComparer.Ordinal)
        { "sum", "avg", "min", "max", "count", "stddev", "stdvar", "group", "topk", "bottomk", "quantile", "count_values" };

    private static readonly Dictionary<string, (PromQlType[] Arguments, int Optional, PromQlType Returns)> Functions = new(StringComparer.Ordinal)
    {
        ["rate"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["irate"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["increase"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["delta"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["idelta"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["deriv"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["changes"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["resets"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["avg_over_time"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["min_over_time"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["max_over_time"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["sum_over_time"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["count_over_time"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["last_over_time"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["absent_over_time"] = ([PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["quantile_over_time"] = ([PromQlType.Scalar, PromQlType.RangeVector], 0, PromQlType.InstantVector),
        ["predict_linear"] = ([PromQlType.RangeVector, PromQlType.Scalar], 0, PromQlType.InstantVector),
        ["histogram_quantile"] = ([PromQlType.Scalar, PromQlType.InstantVector], 0, PromQlType.InstantVector),
        ["absent"] = ([PromQlType.InstantVector], 0, PromQlType.InstantVector),
        ["abs"] = ([PromQlType.InstantVector], 0, PromQlType.InstantVector),
        ["ceil"] = ([PromQlType.InstantVector], 0, PromQlType.InstantVector),
        ["floor"] = ([PromQlType.InstantVector], 0, PromQlType.InstantVector),
        ["round"] = ([PromQlType.InstantVector, PromQlType.Scalar], 1, PromQlType.InstantVector),
        ["sort"] = ([PromQlType.InstantVector], 0, PromQlType.InstantVector),
        ["sort_desc"] = ([PromQlType.InstantVector], 0, PromQlType.InstantVector),
        ["timestamp"] = ([PromQlType.InstantVector], 0, PromQlType.InstantVector),
        ["clamp"] = ([PromQlType.InstantVector, PromQlType.Scalar, PromQlType.Scalar], 0, PromQlType.InstantVector),
        ["clamp_min"] = ([PromQlType.InstantVector, PromQlType.Scalar], 0, PromQlType.InstantVector),
        ["clamp_max"] = ([PromQlType.InstantVector, PromQlType.Scalar], 0, PromQlType.InstantVector),
        ["label_replace"] = ([PromQlType.InstantVector, PromQlType.String, PromQlType.String, PromQlType.String, PromQlType.String], 0, PromQlType.InstantVector),
        ["vector"] = ([PromQlType.Scalar], 0, PromQlType.InstantVector),
        ["scalar"] = ([PromQlType.InstantVector], 0, PromQlType.Scalar),
        ["time"] = ([], 0, PromQlType.Scalar),
    };

    private static readonly HashSet<string> Comparisons = new(StringComparer.Ordinal) { "==", "!=", "<", ">", "<=", ">=" };
    private static readonly HashSet<string> SetOperators = new(StringComparer.Ordinal) { "and", "or", "unless" };

    private readonly List<PromQlToken> _tokens;
    private int _next;

    private PromQlParser(string text) => _tokens = PromQlLexer.Tokenize(text);

    /// <summary>Parses a whole query, which must be an instant vector or a scalar (what a panel or an alert can show).</summary>
    public static PromQlNode Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new PromQlParser(text);
        var node = parser.ParseExpression(0);
        if (parser.Peek.Kind != PromQlTokenKind.End) throw parser.Error($"unexpected '{parser.Peek.Text}'");
        if (node.Type is not (PromQlType.InstantVector or PromQlType.Scalar))
            throw new PromQlException($"the query must be an instant vector or a scalar, not a {node.Type}", 0);
        return node;
    }

    private PromQlToken Peek => _tokens[_next];

    private PromQlToken Take() => _tokens[_next++];

    private PromQlException Error(string message) =>
        new($"{message} at {Peek.Position}" + (Peek.Kind == PromQlTokenKind.End ? " (end of query)" : $" ('{Peek.Text}')"), Peek.Position);

    private bool IsOperator(string text) => Peek.Kind == PromQlTokenKind.Operator && Peek.Text == text;

    private bool IsKeyword(string text) => Peek.Kind == PromQlTokenKind.Identifier && Peek.Text == text;

    private void Expect(string op)
    {
        if (!IsOperator(op)) throw Error($"expected '{op}'");
        Take();
    }

    /// <summary>Binary operators by precedence level, lowest first; ^ (level 5) is right-associative.</summary>
    private static int Precedence(PromQlToken token) => token switch
    {
        { Kind: PromQlTokenKind.Identifier, Text: "or" } => 0,
        { Kind: PromQlTokenKind.Identifier, Text: "and" or "unless" } => 1,
        { Kind: PromQlTokenKind.Operator, Text: "==" or "!=" or "<" or ">" or "<=" or ">=" } => 2,
        { Kind: PromQlTokenKind.Operator, Text: "+" or "-" } => 3,
        { Kind: PromQlTokenKind.Operator, Text: "*" or "/" or "%" } => 4,
        { Kind: PromQlTokenKind.Operator, Text: "^" } => 5,
        _ => -1,
    };

    /// <summary>Precedence climbing for levels 0–4; unary operators and ^ below.</summary>
    private PromQlNode ParseExpression(int minimum)
    {
        var left = ParseUnary();
        while (true)
        {
            var level = Precedence(Peek);
            if (level < minimum || level < 0 || level == 5) return left;
            var op = Take().Text;
            var (returnBool, matching) = ParseModifiers(op);
            var right = ParseExpression(level + 1);
            left = Binary(op, left, right, returnBool, matching);
        }
    }

    private PromQlNode ParseUnary()
    {
        if (IsOperator("-") || IsOperator("+"))
        {
            var op = Take().Text;
            var operand = ParseUnary();
            if (operand.Type is not (PromQlType.Scalar or PromQlType.InstantVector))
                throw new PromQlException($"unary '{op}' needs a scalar or an instant vector, not a {operand.Type}", Peek.Position);
            return new PromQlUnary(op, operand);
        }

        return ParsePower();
    }

    private PromQlNode ParsePower()
    {
        var left = ParsePostfix(ParsePrimary());
        if (!IsOperator("^")) return left;
        Take();
        var (returnBool, matching) = ParseModifiers("^");
        // Right-associative, and binding tighter than a unary minus on its left: -2^2 is -(2^2), 2^-1 is allowed.
        return Binary("^", left, ParseUnary(), returnBool, matching);
    }

    private (bool ReturnBool, PromQlMatching? Matching) ParseModifiers(string op)
    {
        var returnBool = false;
        if (IsKeyword("bool"))
        {
            if (!Comparisons.Contains(op)) throw Error($"bool is only allowed after a comparison, not '{op}'");
            Take();
            returnBool = true;
        }

        if (!IsKeyword("on") && !IsKeyword("ignoring"))
        {
            if (IsKeyword("group_left") || IsKeyword("group_right")) throw Error("group_left/group_right need on(...) or ignoring(...) first");
            return (returnBool, null);
        }

        var on = Take().Text == "on";
        var labels = ParseLabelList();
        string? group = null;
        IReadOnlyList<string> include = [];
        if (IsKeyword("group_left") || IsKeyword("group_right"))
        {
            if (SetOperators.Contains(op)) throw Error($"no grouping allowed for '{op}'");
            group = Take().Text;
            if (IsOperator("(")) include = ParseLabelList();
        }

        return (returnBool, new PromQlMatching(on, labels, group, include));
    }

    private PromQlBinary Binary(string op, PromQlNode left, PromQlNode right, bool returnBool, PromQlMatching? matching)
    {
        foreach (var side in new[] { left, right })
        {
            if (side.Type is PromQlType.RangeVector or PromQlType.String)
                throw new PromQlException($"binary '{op}' cannot take a {side.Type}", Peek.Position);
        }

        var vectors = left.Type == PromQlType.InstantVector && right.Type == PromQlType.InstantVector;
        if (SetOperators.Contains(op) && !vectors)
            throw new PromQlException($"set operator '{op}' needs instant vectors on both sides", Peek.Position);
        if (matching is not null && !vectors)
            throw new PromQlException($"vector matching (on/ignoring) needs instant vectors on both sides of '{op}'", Peek.Position);
        var scalars = left.Type == PromQlType.Scalar && right.Type == PromQlType.Scalar;
        if (Comparisons.Contains(op) && scalars && !returnBool)
            throw new PromQlException($"comparisons between scalars must use bool ('{op}')", Peek.Position);
        return new PromQlBinary(op, left, right, returnBool, matching, scalars ? PromQlType.Scalar : PromQlType.InstantVector);
    }

    /// <summary>A range or subquery ([5m], [1h:5m]) and then an offset, as Prometheus orders them.</summary>
    private PromQlNode ParsePostfix(PromQlNode node)
    {
        if (IsOperator("["))
        {
            Take();
            var range = ParseDuration("a range");
            if (IsOperator(":"))
            {
                Take();
                TimeSpan? step = Peek.Kind == PromQlTokenKind.Duration ? ParseDuration("a step") : null;
                Expect("]");
                if (node.Type != PromQlType.InstantVector) throw Error($"a subquery needs an instant vector, not a {node.Type}");
                return new PromQlSubquery(node, range, step, ParseOffset());
            }

            Expect("]");
            if (node is not PromQlSelector { Range: null, Offset: null } selector)
                throw Error("a range is only allowed on a vector selector (use a subquery, [range:step], for an expression)");
            node = selector with { Range = range };
        }

        if (IsKeyword("offset"))
        {
            if (node is PromQlSelector { Offset: null } selector) return selector with { Offset = ParseOffset() };
            throw Error("offset is only allowed after a vector selector or a subquery");
        }

        return node;
    }

    private TimeSpan? ParseOffset()
    {
        if (!IsKeyword("offset")) return null;
        Take();
        var negative = false;
        if (IsOperator("-"))
        {
            Take();
            negative = true;
        }

        var duration = ParseDuration("an offset");
        return negative ? -duration : duration;
    }

    private TimeSpan ParseDuration(string what)
    {
        if (Peek.Kind != PromQlTokenKind.Duration) throw Error($"expected a duration for {what} (e.g. 5m)");
        return Take().Duration;
    }

    private PromQlNode ParsePrimary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case PromQlTokenKind.Number:
                Take();
                return new PromQlNumber(token.Number);
            case PromQlTokenKind.String:
                Take();
                return new PromQlString(token.Text);
            case PromQlTokenKind.Duration:
                throw Error("a duration is only allowed in a range, a subquery or after offset");
            case PromQlTokenKind.Operator when token.Text == "(":
                Take();
                var inner = ParseExpression(0);
                Expect(")");
                return new PromQlParenthesis(inner);
            case PromQlTokenKind.Operator when token.Text == "{":
                return ParseSelector(null);
            case PromQlTokenKind.Identifier:
                Take();
                var name = token.Text;
                var lower = name.ToLowerInvariant();
                if (lower is "inf" or "nan" && !IsOperator("(") && !IsOperator("{"))
                    return new PromQlNumber(lower == "inf" ? double.PositiveInfinity : double.NaN);
                if (Aggregations.Contains(name) && (IsOperator("(") || IsKeyword("by") || IsKeyword("without")))
                    return ParseAggregation(name);
                if (IsOperator("(")) return ParseCall(name);
                if (IsReserved(name)) throw new PromQlException($"unexpected keyword '{name}' at {token.Position}", token.Position);
                return ParseSelector(name);
            default:
                throw Error("expected an expression");
        }
    }

    private static bool IsReserved(string name) =>
        name is "by" or "without" or "on" or "ignoring" or "group_left" or "group_right" or "bool" or "offset" or "and" or "or" or "unless";

    private PromQlCall ParseCall(string name)
    {
        var position = Peek.Position;
        if (!Functions.TryGetValue(name, out var signature)) throw new PromQlException($"unknown function '{name}' at {position}", position);
        var arguments = ParseArguments();
        var max = signature.Arguments.Length;
        var min = max - signature.Optional;
        if (arguments.Count < min || arguments.Count > max)
            throw new PromQlException($"{name}() takes {(min == max ? $"{max}" : $"{min} to {max}")} arguments, got {arguments.Count} (at {position})", position);
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i].Type != signature.Arguments[i])
                throw new PromQlException($"argument {i + 1} of {name}() must be a {signature.Arguments[i]}, not a {arguments[i].Type} (at {position})", position);
        }

        return new PromQlCall(name, arguments, signature.Returns);
    }

    private PromQlAggregation ParseAggregation(string op)
    {
        var position = Peek.Position;
        var (by, without) = ParseGrouping();
        var arguments = ParseArguments();
        if (arguments.Count is 0 or > 2) throw new PromQlException($"{op} takes an expression, and a parameter before it for some (at {position})", position);
        var parameter = arguments.Count == 2 ? arguments[0] : null;
        var operand = arguments[^1];
        if (by is null && without is null) (by, without) = ParseGrouping();
        else if (IsKeyword("by") || IsKeyword("without")) throw Error($"{op} has a grouping clause already");

        var wants = op switch
        {
            "topk" or "bottomk" or "quantile" => PromQlType.Scalar,
            "count_values" => PromQlType.String,
            _ => (PromQlType?)null,
        };
        if (wants is null && parameter is not null) throw new PromQlException($"{op} takes no parameter (at {position})", position);
        if (wants is { } type && parameter?.Type != type) throw new PromQlException($"{op} needs a {type} parameter first (at {position})", position);
        if (operand.Type != PromQlType.InstantVector) throw new PromQlException($"{op} aggregates an instant vector, not a {operand.Type} (at {position})", position);
        return new PromQlAggregation(op, by, without, parameter, operand);
    }

    /// <summary>A parenthesised argument list; like Prometheus, a trailing comma is allowed.</summary>
    private List<PromQlNode> ParseArguments()
    {
        Expect("(");
        var arguments = new List<PromQlNode>();
        while (!IsOperator(")"))
        {
            arguments.Add(ParseExpression(0));
            if (!IsOperator(",")) break;
            Take();
        }

        Expect(")");
        return arguments;
    }

    private (IReadOnlyList<string>? By, IReadOnlyList<string>? Without) ParseGrouping()
    {
        if (IsKeyword("by"))
        {
            Take();
            return (ParseLabelList(), null);
        }

        if (IsKeyword("without"))
        {
            Take();
            return (null, ParseLabelList());
        }

        return (null, null);
    }

    private List<string> ParseLabelList()
    {
        Expect("(");
        var labels = new List<string>();
        while (!IsOperator(")"))
        {
            labels.Add(ParseLabelName());
            if (!IsOperator(",")) break;
            Take();
        }

        Expect(")");
        return labels;
    }

    private string ParseLabelName()
    {
        if (Peek.Kind != PromQlTokenKind.Identifier || Peek.Text.Contains(':', StringComparison.Ordinal)) throw Error("expected a label name");
        return Take().Text;
    }

    private PromQlSelector ParseSelector(string? metric)
    {
        var matchers = new List<PromQlMatcher>();
        if (IsOperator("{"))
        {
            Take();
            while (!IsOperator("}"))
            {
                var label = ParseLabelName();
                if (Peek.Kind != PromQlTokenKind.Operator || Peek.Text is not ("=" or "!=" or "=~" or "!~"))
                    throw Error("expected a label matcher operator (=, !=, =~, !~)");
                var op = Take().Text;
                if (Peek.Kind != PromQlTokenKind.String) throw Error("expected a string to match the label against");
                var value = Take().Text;
                if (op is "=~" or "!~") CheckRegex(value);
                matchers.Add(new PromQlMatcher(label, op, value));
                if (!IsOperator(",")) break;
                Take();
            }

            Expect("}");
        }

        var named = matchers.Where(m => m.Label == "__name__").ToList();
        if (metric is not null && named.Count > 0) throw Error($"metric name given twice ({metric} and __name__)");
        if (metric is null && named is [{ Operator: "=" } name]) metric = name.Value;
        // Prometheus refuses a selector that would match every series: one matcher must not match the empty string.
        if (metric is null && !matchers.Any(m => !MatchesEmpty(m)))
            throw Error("a vector selector needs a metric name or a matcher that does not match the empty string");
        return new PromQlSelector(metric, matchers, null, null);
    }

    private static bool MatchesEmpty(PromQlMatcher matcher) => matcher.Operator switch
    {
        "=" => matcher.Value.Length == 0,
        "!=" => matcher.Value.Length != 0,
        "=~" => Regex.IsMatch("", $"^(?:{matcher.Value})$"),
        _ => !Regex.IsMatch("", $"^(?:{matcher.Value})$"),
    };

    private void CheckRegex(string pattern)
    {
        try
        {
            _ = new Regex($"^(?:{pattern})$", RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw Error($"invalid regular expression \"{pattern}\": {e.Message}");
        }
    }
}
