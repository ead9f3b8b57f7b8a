namespace JitAdmission.Webhook.Tests.Monitoring;

/// <summary>What a PromQL expression evaluates to; the parser checks operands and arguments against it, as Prometheus does.</summary>
public enum PromQlType
{
    Scalar,
    InstantVector,
    RangeVector,
    String,
}

public abstract record PromQlNode
{
    public abstract PromQlType Type { get; }
}

public sealed record PromQlNumber(double Value) : PromQlNode
{
    public override PromQlType Type => PromQlType.Scalar;
}

public sealed record PromQlString(string Value) : PromQlNode
{
    public override PromQlType Type => PromQlType.String;
}

public sealed record PromQlMatcher(string Label, string Operator, string Value);

/// <summary>A vector selector, with its range (a range vector) and offset if any.</summary>
public sealed record PromQlSelector(string? Metric, IReadOnlyList<PromQlMatcher> Matchers, TimeSpan? Range, TimeSpan? Offset) : PromQlNode
{
    public override PromQlType Type => Range is null ? PromQlType.InstantVector : PromQlType.RangeVector;
}

public sealed record PromQlSubquery(PromQlNode Inner, TimeSpan Range, TimeSpan? Step, TimeSpan? Offset) : PromQlNode
{
    public override PromQlType Type => PromQlType.RangeVector;
}

public sealed record PromQlCall(string Function, IReadOnlyList<PromQlNode> Arguments, PromQlType Returns) : PromQlNode
{
    public override PromQlType Type => Returns;
}

public sealed record PromQlAggregation(string Operator, IReadOnlyList<string>? By, IReadOnlyList<string>? Without, PromQlNode? Parameter, PromQlNode Operand)
    : PromQlNode
{
    public override PromQlType Type => PromQlType.InstantVector;
}

public sealed record PromQlMatching(bool On, IReadOnlyList<string> Labels, string? Group, IReadOnlyList<string> Include);

public sealed record PromQlBinary(string Operator, PromQlNode Left, PromQlNode Right, bool ReturnBool, PromQlMatching? Matching, PromQlType Result)
    : PromQlNode
{
    public override PromQlType Type => Result;
}

public sealed record PromQlUnary(string Operator, PromQlNode Operand) : PromQlNode
{
    public override PromQlType Type => Operand.Type;
}

public sealed record PromQlParenthesis(PromQlNode Inner) : PromQlNode
{
    public override PromQlType Type => Inner.Type;
}

public static class PromQlNodes
{
    /// <summary>Every node of the tree, depth first.</summary>
    public static IEnumerable<PromQlNode> Descendants(this PromQlNode node)
    {
        yield return node;
        IEnumerable<PromQlNode?> children = node switch
        {
            PromQlSubquery s => [s.Inner],
            PromQlCall c => c.Arguments.Cast<PromQlNode?>(),
            PromQlAggregation a => [a.Parameter, a.Operand],
            PromQlBinary b => [b.Left, b.Right],
            PromQlUnary u => [u.Operand],
            PromQlParenthesis p => [p.Inner],
            _ => [],
        };
        foreach (var child in children.OfType<PromQlNode>())
        {
            foreach (var descendant in child.Descendants()) yield return descendant;
        }
    }

    /// <summary>The metric names the expression selects.</summary>
    public static IEnumerable<string> MetricNames(this PromQlNode node) =>
        node.Descendants().OfType<PromQlSelector>().Select(s => s.Metric).OfType<string>();
}
