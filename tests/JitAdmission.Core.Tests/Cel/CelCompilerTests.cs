using JitAdmission.Core.Cel;

namespace JitAdmission.Core.Tests.Cel;

public class CelCompilerTests
{
    private static readonly HashSet<string> ContextNames = ["incident", "freeze"];

    [Theory]
    [InlineData("object.spec.replicas > 3")]
    [InlineData("oldObject == null")]
    [InlineData("request.userInfo.groups.exists(g, g == 'sre')")]
    [InlineData("object.spec.containers.all(c, c.image.startsWith('registry.example.com/'))")]
    [InlineData("object.spec.containers.exists(c, c.ports.exists(p, p.containerPort == 22 && c.name != ''))")]
    [InlineData("has(object.spec.paused) && object.spec.paused")]
    [InlineData("now.getHours('Europe/Berlin') >= 18")]
    [InlineData("context.incident != null && context.incident.data.open == 'true'")]
    [InlineData("type(object) == map && type(object.spec.replicas) == int")]
    [InlineData("size(object.metadata.name) > 3 && object.metadata.name.size() < 64")]
    [InlineData("object.metadata.name.matches('^db-[0-9]+$')")]
    [InlineData("[1, 2].map(x, x * 2).filter(y, y > 2).size() == 1")]
    [InlineData("{'a': 1}['a'] == 1 && 'a' in {'a': 1}")]
    [InlineData("namespaceObject.metadata.labels['env'] == 'prod'")]
    [InlineData("timestamp(object.metadata.creationTimestamp) < now - duration('1h')")]
    [InlineData("object.items.exists_one(i, i == 1) || object.items.filter(i, i > 1).size() > 0")]
    [InlineData("request.dryRun ? false : request.operation in ['UPDATE', 'DELETE']")]
    [InlineData("string(object.spec.replicas) + 'x' == '3x' && int('3') == 3 && uint(3) == 3u && double(1) == 1.0")]
    [InlineData("object.spec.replicas > 1 // comments are allowed")]
    [InlineData("object.items.all(item, item.all(x, x > 0))")]
    public void Valid_conditions_compile(string expression)
    {
        var result = CelCompiler.Compile(expression, ContextNames);

        Assert.True(result.Success, result.Error);
        Assert.Null(result.Error);
    }

    public static TheoryData<string, string> InvalidCases => new()
    {
        { "", "empty" },
        { "   ", "empty" },
        { "1 +", "syntax error" },
        { "object.spec.replicas >", "syntax error" },
        { "foo == 1", "unknown variable 'foo'" },
        { "self.spec.replicas > 1", "unknown variable 'self'" },
        { "params.x == 1", "unknown variable 'params'" },
        { "object.items.exists(i, j > 1)", "unknown variable 'j'" },
        { "object.items.exists(i, i > 1) && i > 1", "unknown variable 'i'" },
        { "lowerAscii(object.x) == 'a'", "unknown function 'lowerAscii'" },
        { "object.x.lowerAscii() == 'a'", "unknown function 'lowerAscii'" },
        { "object.x.split(',').size() > 1", "unknown function 'split'" },
        { "exists(object.items, i, true)", "'exists' is a macro" },
        { "object.items.exists(i)", "takes an iteration variable and an expression" },
        { "object.items.map(i, i > 1, i * 2).size() > 0", "takes an iteration variable and an expression" },
        { "object.items.all(i.x, true)", "needs an identifier" },
        { "object.items.all(int, int > 0)", "is a type name" },
        { "object.items.all(object, object > 0)", "iteration variable 'object' hides the variable" },
        { "request.userInfo.groups.exists(request, request == 'x')", "iteration variable 'request' hides the variable" },
        { "has(object)", "has() takes one field selection" },
        { "has(object.a, object.b)", "has() takes one field selection" },
        { "context.other.data.x == '1'", "context.other is not declared in spec.context (declared: freeze, incident)" },
        { "object.?spec == null", "optional field selection" },
        { "object.items[?0] == 1", "optional indexing" },
        { "google.protobuf.Duration{seconds: 1} == duration('1s')", "message construction" },
        { "object.name.matches('(a')", "invalid regular expression" },
        { "object.name.matches('(?<=a)b')", "invalid regular expression" },
        { "object.name.matches('(a)\\\\1')", "invalid regular expression" },
        { "nope == 1 && lowerAscii('A') == 'a'", "column 1: unknown variable 'nope'" },
        { "nope == 1 && lowerAscii('A') == 'a'", "; column 14: unknown function 'lowerAscii'" },
    };

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Invalid_conditions_fail_to_compile_with_a_clear_message(string expression, string expected)
    {
        var result = CelCompiler.Compile(expression, ContextNames);

        Assert.False(result.Success);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Undeclared_context_without_any_context_says_how_to_declare_it()
    {
        var result = CelCompiler.Compile("context.incident.data.open == 'true'", new HashSet<string>());

        Assert.Equal("column 9: context.incident is not declared: add it to spec.context", result.Error);
    }

    [Fact]
    public void Expressions_over_4_KiB_are_rejected()
    {
        var atLimit = "'" + new string('a', CelLimits.MaxExpressionBytes - 8) + "' != ''";
        var overLimit = "'" + new string('a', CelLimits.MaxExpressionBytes - 7) + "' != ''";

        Assert.Equal(CelLimits.MaxExpressionBytes, System.Text.Encoding.UTF8.GetByteCount(atLimit));
        Assert.True(CelCompiler.Compile(atLimit, ContextNames).Success);
        Assert.Contains("more than the maximum of 4096", CelCompiler.Compile(overLimit, ContextNames).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Multibyte_characters_count_as_bytes()
    {
        var expression = "'" + new string('é', 2100) + "' != ''";

        Assert.Contains("bytes", CelCompiler.Compile(expression, ContextNames).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(32, true)]
    [InlineData(33, false)]
    [InlineData(1000, false)]
    public void Deep_nesting_is_rejected_before_the_parser_can_overflow_the_stack(int depth, bool ok)
    {
        // 1000 levels would crash the process inside the CEL parser (a stack overflow cannot be caught).
        var expression = new string('(', depth) + "1" + new string(')', depth) + " == 1";

        var result = CelCompiler.Compile(expression, ContextNames);

        Assert.Equal(ok, result.Success);
        if (!ok) Assert.Contains("nests brackets", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_operator_chains_are_rejected_by_tree_depth()
    {
        var expression = string.Join(" + ", Enumerable.Repeat("1", 600)) + " > 0";

        Assert.Contains("too deeply nested", CelCompiler.Compile(expression, ContextNames).Error, StringComparison.Ordinal);
        Assert.True(CelCompiler.Compile(string.Join(" + ", Enumerable.Repeat("1", 100)) + " > 0", ContextNames).Success);
        Assert.True(CelCompiler.Compile(string.Join(" && ", Enumerable.Repeat("true", 500)), ContextNames).Success);
    }

    /// <summary>The allow-list must only name functions the environment really binds: every one is called here.</summary>
    [Fact]
    public void Every_allowed_function_and_macro_is_bound()
    {
        var samples = new Dictionary<string, string>
        {
            ["bool"] = "bool(true)",
            ["bytes"] = "bytes('a') == b'a'",
            ["contains"] = "'abc'.contains('b')",
            ["decimal"] = "decimal(1) == decimal(1)",
            ["double"] = "double(1) == 1.0",
            ["duration"] = "duration('1h') > duration('1m')",
            ["dyn"] = "dyn(1) == 1",
            ["endsWith"] = "'abc'.endsWith('c')",
            ["getDate"] = "now.getDate() == 15",
            ["getDayOfMonth"] = "now.getDayOfMonth() == 14",
            ["getDayOfWeek"] = "now.getDayOfWeek() == 6",
            ["getDayOfYear"] = "now.getDayOfYear() == 45",
            ["getFullYear"] = "now.getFullYear() == 2025",
            ["getHours"] = "now.getHours() == 9 && now.getHours('Europe/Berlin') == 10",
            ["getMilliseconds"] = "now.getMilliseconds() == 0",
            ["getMinutes"] = "now.getMinutes() == 30",
            ["getMonth"] = "now.getMonth() == 1",
            ["getSeconds"] = "now.getSeconds() == 0",
            ["has"] = "has(object.a) && !has(object.b)",
            ["int"] = "int('2') == 2",
            ["matches"] = "'db-12'.matches('^db-[0-9]+$') && !'web'.matches('^db')",
            ["size"] = "size('ab') == 2 && [1].size() == 1",
            ["startsWith"] = "'abc'.startsWith('a')",
            ["string"] = "string(1) == '1'",
            ["timestamp"] = "timestamp('2025-02-15T09:30:00Z') == now",
            ["type"] = "type(1) == int",
            ["uint"] = "uint(1) == 1u",
            ["all"] = "[1, 2].all(x, x > 0)",
            ["exists"] = "[1, 2].exists(x, x > 1)",
            ["exists_one"] = "[1, 2].exists_one(x, x > 1)",
            ["filter"] = "[1, 2].filter(x, x > 1) == [2]",
            ["map"] = "[1, 2].map(x, x * 2) == [2, 4]",
        };
        Assert.Equal(CelRuntime.Functions.Concat(CelRuntime.Macros).Order(StringComparer.Ordinal), samples.Keys.Order(StringComparer.Ordinal));

        var variables = new Dictionary<string, object?>
        {
            ["now"] = new DateTimeOffset(2025, 2, 15, 9, 30, 0, TimeSpan.Zero),
            ["object"] = new Dictionary<string, object?> { ["a"] = 1L },
        };
        foreach (var (name, expression) in samples)
        {
            var compiled = CelCompiler.Compile(expression, ContextNames);
            Assert.True(compiled.Success, $"{name}: {compiled.Error}");
            Assert.True(compiled.Program!(variables) is true, $"{name}: {expression}");
        }
    }
}
